/**
 * The service the rehearsal registers and invokes: a keyed counter written with the real
 * Restate TypeScript SDK, run as its own process.   node counter-service.js PORT
 * `add` is exclusive per key, so concurrent or repeated calls through different nodes must
 * add up exactly; `get` reads the value without taking the lock.
 */

// The SDK (1.17) calls Promise.withResolvers, which Node 22 has and Node 20 lacks.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

// Imported after the polyfill is in place (a static import would run first).
const restate = await import('@restatedev/restate-sdk');
const { COUNTER_ADD, COUNTER_GET, COUNTER_SERVICE } = await import('./counter.js');

const counter = restate.object({
  name: COUNTER_SERVICE,
  handlers: {
    [COUNTER_ADD]: async (ctx: import('@restatedev/restate-sdk').ObjectContext, delta: number): Promise<number> => {
      const next = ((await ctx.get<number>('count')) ?? 0) + delta;
      ctx.set('count', next);
      return next;
    },
    [COUNTER_GET]: restate.handlers.object.shared(
      async (ctx: import('@restatedev/restate-sdk').ObjectSharedContext): Promise<number> =>
        (await ctx.get<number>('count')) ?? 0,
    ),
  },
});

const port = Number(process.argv[2]);
await restate.serve({ services: [counter], port });
console.log(`counter service listening on ${port}`);
