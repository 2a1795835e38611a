// The rehearsal's step runner alone, with trivial steps: order, verdicts, the report's text,
// stopping at a failed step, and the release of what steps created. The real steps are proven
// by the rehearsals in rehearse.test.ts.
import { UsageError } from '../src/errors.js';
import { runSteps, StepFailed, type Release, type RunnerTools, type Step } from '../src/rehearse/runner.js';

interface Context {
  tools: RunnerTools;
  ran: string[];
}

const passes = (name: string, found = `${name} done`): Step<Context> => ({
  name,
  run: async (context) => {
    context.ran.push(name);
    return found;
  },
});
const fails = (name: string, why: string, laterStepsRunIfItFails = false): Step<Context> => ({
  name,
  laterStepsRunIfItFails,
  run: async (context) => {
    context.ran.push(name);
    throw new StepFailed(why);
  },
});

/** Runs `steps`; the output with every time shown as 0.0, and what ran and was released, in order. */
async function runTrivial(steps: Step<Context>[], { keep = false, release = true } = {}) {
  const lines: string[] = [];
  const events: string[] = [];
  const context: Context = { tools: undefined as unknown as RunnerTools, ran: [] };
  const resource = (name: string): Release => ({
    now: () => events.push(`${name} released now`),
    orderly: async () => {
      events.push(`${name} released in order`);
    },
  });
  let passed: boolean | Error;
  try {
    passed = await runSteps<Context>({
      title: 'Rehearsal of trivia',
      print: (line) => lines.push(line),
      createContext(tools) {
        context.tools = tools;
        if (release) tools.onExit(resource('created with the context'));
        return context;
      },
      steps,
      finish: (_, ok) => {
        lines.push(`(finish: ${ok ? 'passed' : 'failed'})`);
        return keep;
      },
    });
  } catch (error) {
    passed = error as Error;
  }
  const output = lines
    .join('\n')
    .replace(/\d+\.\d+s/g, '0.0s')
    .replace(/\[ +0\.0s\]/g, '[  0.0s]');
  return { passed, output, ran: context.ran, events, context };
}

test('steps run in order, each with its progress lines; the report lists them and the verdict', async () => {
  const r = await runTrivial([passes('one'), passes('two')]);
  expect(r.passed).toBe(true);
  expect(r.ran).toEqual(['one', 'two']);
  expect(r.output).toBe(
    [
      '[  0.0s] one …',
      '[  0.0s]   ok: one done',
      '[  0.0s] two …',
      '[  0.0s]   ok: two done',
      '',
      'Rehearsal of trivia: PASS (0.0s)',
      '  PASS  one (0.0s)',
      '  PASS  two (0.0s)',
      '(finish: passed)',
    ].join('\n'),
  );
});

test('a failing step is reported with why, and the steps after it do not run', async () => {
  const r = await runTrivial([passes('one'), fails('two', 'it broke'), passes('three')]);
  expect(r.passed).toBe(false);
  expect(r.ran).toEqual(['one', 'two']);
  expect(r.output).toContain('[  0.0s]   FAILED: it broke');
  expect(r.output).toContain(
    ['Rehearsal of trivia: FAIL (0.0s)', '  PASS  one (0.0s)', '  FAIL  two (0.0s)', '        it broke'].join('\n'),
  );
  expect(r.output).not.toContain('three');
});

test('a step later steps do not need fails the verdict, and they run all the same', async () => {
  const r = await runTrivial([fails('one', 'it broke', true), passes('two')]);
  expect(r.passed).toBe(false);
  expect(r.ran).toEqual(['one', 'two']);
  expect(r.output).toContain('  FAIL  one (0.0s)\n        it broke\n  PASS  two (0.0s)');
});

test('a skipped step says why, and does not fail the verdict', async () => {
  const skips: Step<Context> = { name: 'maybe', run: async () => ({ skip: 'nothing to do' }) };
  const r = await runTrivial([skips, passes('after')]);
  expect(r.passed).toBe(true);
  expect(r.output).toContain('[  0.0s]   skipped: nothing to do');
  expect(r.output).toContain(
    'Rehearsal of trivia: PASS (0.0s)\n  SKIP  maybe (0.0s)\n        nothing to do\n  PASS  after',
  );
});

test('a name can count what earlier steps found; timings come after the steps', async () => {
  const counts: Step<Context> = {
    name: 'count',
    run: async (context) => {
      context.ran.push('3 things');
      context.tools.timing('counted in no time');
      return 'counted';
    },
  };
  const named: Step<Context> = { name: (context) => `use ${context.ran[0]}`, run: async () => 'used' };
  const r = await runTrivial([counts, named]);
  expect(r.output).toContain('[  0.0s] use 3 things …');
  expect(r.output).toContain('  PASS  use 3 things (0.0s)\nTimings:\n  counted in no time\n(finish: passed)');
});

test('a defect in a step is a failure with its stack, not a crash', async () => {
  const broken: Step<Context> = {
    name: 'broken',
    run: async () => {
      throw new TypeError('x is undefined');
    },
  };
  const r = await runTrivial([broken]);
  expect(r.passed).toBe(false);
  expect(r.output).toMatch(/ {2}FAILED: unexpected error: TypeError: x is undefined\n {4}at /);
});

describe('what steps create is released', () => {
  const createsResource: Step<Context> = {
    name: 'create',
    run: async (context) => {
      context.tools.onExit({
        now: () => context.ran.push('step resource released now'),
        orderly: async () => {
          context.ran.push('step resource released in order');
        },
      });
      return 'created';
    },
  };

  test('on success: in order first (latest first), then on exit', async () => {
    const r = await runTrivial([createsResource]);
    expect(r.passed).toBe(true);
    expect(r.ran).toEqual(['step resource released in order', 'step resource released now']);
    expect(r.events).toEqual(['created with the context released in order', 'created with the context released now']);
  });

  test('on failure too', async () => {
    const r = await runTrivial([createsResource, fails('fail', 'no')]);
    expect(r.passed).toBe(false);
    expect(r.ran).toEqual(['fail', 'step resource released in order', 'step resource released now']);
    expect(r.events).toHaveLength(2);
  });

  test('when bad input ends the run (exit 2), with no report', async () => {
    const badInput: Step<Context> = {
      name: 'read',
      run: async () => {
        throw new UsageError('no such file');
      },
    };
    const r = await runTrivial([createsResource, badInput]);
    expect(r.passed).toBeInstanceOf(UsageError);
    expect(r.output).not.toContain('Rehearsal of');
    expect(r.ran).toEqual(['step resource released in order', 'step resource released now']);
  });

  test('not when the run keeps them (--keep): everything stays as it is', async () => {
    const r = await runTrivial([createsResource, fails('fail', 'no')], { keep: true });
    expect(r.ran).toEqual(['fail']);
    expect(r.events).toEqual([]);
  });

  test('a release a step forgets itself does not run', async () => {
    const forgets: Step<Context> = {
      name: 'hand over',
      run: async (context) => {
        const forget = context.tools.onExit({ now: () => context.ran.push('released') });
        forget();
        return 'handed over';
      },
    };
    const r = await runTrivial([forgets], { release: false });
    expect(r.ran).toEqual([]);
  });
});
