import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A stack from the minified bundle, with each frame mapped back to src/ through the bundle's
 * source maps. Done only when a defect is reported: Node's own source-map support
 * (--enable-source-maps) parses every map at start-up, on every run.
 */
export function mappedStack(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string) => {
    if (!maps.has(file)) {
      const path = `${file}.map`;
      maps.set(file, existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8'))) : undefined);
    }
    return maps.get(file);
  };
  return stack.replace(
    /(file:\/\/[^\s()]+|\/[^\s():]+):(\d+):(\d+)/g,
    (frame, location: string, line: string, column: string) => {
      try {
        const file = location.startsWith('file://') ? fileURLToPath(location) : location;
        const entry = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1);
        if (!entry || !('originalSource' in entry)) return frame;
        const source = entry.originalSource.startsWith('file://')
          ? fileURLToPath(entry.originalSource)
          : resolve(dirname(file), entry.originalSource);
        return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
      } catch {
        return frame; // a frame that cannot be mapped stays as it was
      }
    },
  );
}
