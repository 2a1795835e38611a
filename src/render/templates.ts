import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';

/** The built-in templates, shipped beside dist/ and src/ in the package. */
export const BUILTIN_TEMPLATE_DIR = new URL('../../compose-templates/', import.meta.url);

export type TemplateName = 'docker-compose.yaml.hbs' | 'env.hbs';

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/**
 * Compiles a template once. YAML and .env are not HTML, so nothing is escaped: the renderer
 * hands templates values that are already quoted for their file. `strict` turns a name the
 * view lacks into an error instead of an empty string in the output.
 */
export function template(name: TemplateName): Handlebars.TemplateDelegate {
  let fn = compiled.get(name);
  if (!fn) {
    const source = readFileSync(new URL(name, BUILTIN_TEMPLATE_DIR), 'utf8');
    fn = Handlebars.compile(source, { noEscape: true, strict: true });
    compiled.set(name, fn);
  }
  return fn;
}
