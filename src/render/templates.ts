import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateDelegate } from 'handlebars';
import runtime from 'handlebars/runtime.js';
import { UsageError } from '../errors.js';
import { PRECOMPILED } from './templates.generated.js';

/** The built-in templates (their source; the CLI runs the precompiled form of the same files). */
export const BUILTIN_TEMPLATE_DIR = new URL('../../compose-templates/', import.meta.url);

export const TEMPLATE_NAMES = [
  'docker-compose.yaml.hbs',
  'docker-stack.yaml.hbs',
  'env.hbs',
  'README.md.hbs',
  'haproxy.cfg.hbs',
  'prometheus.yml.hbs',
  'grafana-datasource.yaml.hbs',
  'grafana-dashboards.yaml.hbs',
  'grafana-dashboard.json.hbs',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/**
 * Pieces of templates, used as {{> name}} (file name without .hbs): the bucket job's command,
 * the same in the compose file and the stack; README.md's sections, one partial each (the
 * commands one per target). A user's copy replaces the built-in one for every template,
 * built-in or the user's.
 */
export const PARTIAL_NAMES = [
  'minio-bucket-command.hbs',
  'readme-topology.hbs',
  'readme-endpoints.hbs',
  'readme-fault-tolerance.hbs',
  'readme-compose.hbs',
  'readme-swarm.hbs',
] as const;
/** Every file of the template directory: what `templates export` writes. */
export const TEMPLATE_FILES = [...TEMPLATE_NAMES, ...PARTIAL_NAMES] as const;
type Partials = Record<string, TemplateDelegate>;
const partialName = (file: string) => file.replace(/\.hbs$/, '');

/**
 * Compile options for every template, built-in (precompiled by scripts/precompile-templates.mjs)
 * or a user's: no HTML escaping (YAML, .env and Markdown are not HTML; the renderer hands
 * templates values already quoted for their file), and `strict`, so a name the view lacks is an
 * error instead of an empty string in the output.
 */
export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/** Handlebars without its compiler: all the built-in templates need. */
const Handlebars = runtime as unknown as { template(spec: unknown): TemplateDelegate };

/** Renders one template; an error names the file (and Handlebars adds the line). */
export type Render = (name: TemplateName, view: object) => string;

/**
 * Handlebars' messages, on one line: a parse error spans four (where, the line, a caret, what
 * was expected), a missing value names the view as "[object Object]".
 */
export function templateErrorMessage(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const text =
    lines.length > 1 && /^Parse error/.test(lines[0]!)
      ? `${lines[0]} ${lines[lines.length - 1]}`
      : (lines[0] ?? message);
  return text
    .replace(/ in \[object Object\]/g, ' in the values gen-compose hands this template')
    .replace(/ - (\d+):(\d+)$/, ' (line $1, column $2)');
}

function renderWith(fn: TemplateDelegate, file: string, view: object, partials: Partials): string {
  try {
    return fn(view, { partials });
  } catch (error) {
    throw new UsageError(`${file}: ${templateErrorMessage((error as Error).message)}`);
  }
}

const builtin = new Map<string, TemplateDelegate>();
function builtinTemplate(name: string): TemplateDelegate {
  let fn = builtin.get(name);
  if (!fn) {
    const spec = PRECOMPILED[name];
    if (!spec) throw new Error(`no precompiled template ${name}: run npm run build`);
    fn = Handlebars.template(spec);
    builtin.set(name, fn);
  }
  return fn;
}
const builtinPartials = (): Partials =>
  Object.fromEntries(PARTIAL_NAMES.map((file) => [partialName(file), builtinTemplate(file)]));

function renderBuiltinWith(name: TemplateName, view: object, partials: Partials): string {
  return renderWith(builtinTemplate(name), `compose-templates/${name}`, view, partials);
}
export const renderBuiltin: Render = (name, view) => renderBuiltinWith(name, view, builtinPartials());

/**
 * A user's template directory (--templates): each file there replaces the built-in one of the
 * same name; any template it lacks falls back to the built-in. Loads the Handlebars compiler,
 * which the usual run does without.
 */
export async function customTemplates(dir: string): Promise<Render> {
  if (!existsSync(dir)) throw new UsageError(`--templates ${dir} does not exist`);
  if (!statSync(dir).isDirectory())
    throw new UsageError(
      `--templates ${dir} is a file; it must be a directory of templates (see: gen-compose templates export DIR)`,
    );
  const { default: Compiler } = await import('handlebars');
  const compiled = new Map<string, { fn: TemplateDelegate; file: string }>();
  for (const name of TEMPLATE_FILES) {
    const file = join(dir, name);
    if (existsSync(file))
      compiled.set(name, { fn: Compiler.compile(readFileSync(file, 'utf8'), COMPILE_OPTIONS), file });
  }
  const partials = builtinPartials();
  for (const file of PARTIAL_NAMES) {
    const own = compiled.get(file);
    if (own)
      partials[partialName(file)] = (context, options) =>
        renderWith(own.fn, own.file, context, (options?.partials ?? {}) as Partials);
  }
  return (name, view) => {
    const own = compiled.get(name);
    return own ? renderWith(own.fn, own.file, view, partials) : renderBuiltinWith(name, view, partials);
  };
}
