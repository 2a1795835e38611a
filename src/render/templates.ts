import type { TemplateDelegate } from 'handlebars';
import runtime from 'handlebars/runtime.js';
import { PRECOMPILED } from './templates.generated.js';

/** Handlebars without its compiler: all the CLI needs to run precompiled templates. */
const Handlebars = runtime as { template(spec: unknown): TemplateDelegate };

/** The built-in templates (their source; the CLI runs the precompiled form of the same files). */
export const BUILTIN_TEMPLATE_DIR = new URL('../../compose-templates/', import.meta.url);

export type TemplateName = 'docker-compose.yaml.hbs' | 'env.hbs';

const loaded = new Map<string, TemplateDelegate>();

/**
 * A built-in template, precompiled at build time (scripts/precompile-templates.mjs) with
 * `noEscape` (YAML and .env are not HTML: the renderer hands templates values already quoted
 * for their file) and `strict` (a name the view lacks is an error, not an empty string).
 */
export function template(name: TemplateName): TemplateDelegate {
  let fn = loaded.get(name);
  if (!fn) {
    const spec = PRECOMPILED[name];
    if (!spec) throw new Error(`no precompiled template ${name}: run npm run build`);
    fn = Handlebars.template(spec);
    loaded.set(name, fn);
  }
  return fn;
}
