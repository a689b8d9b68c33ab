/**
 * The README's TypeScript snippets. Every ```ts block is a whole file of a user's cdk8s app and says so on
 * its first line (`// main.ts`, `// main.test.ts`), so that test/readme.test.ts can compile and run each
 * one against the sources and test/package/consumer.test.ts against the packed library.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface ReadmeFile {
  /** The file name from the block's first line, e.g. `main.ts`. */
  readonly name: string;
  /** The whole block, first line included. */
  readonly code: string;
}

export const README_PATH = path.join(__dirname, '..', '..', 'README.md');

/** Every ```ts block of the README, in order (whether or not it names its file). */
export function readmeTypeScriptBlocks(readme = fs.readFileSync(README_PATH, 'utf8')): string[] {
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(m => m[1]);
}

/** The README's files: the ```ts blocks whose first line is `// <name>.ts`. */
export function readmeFiles(readme = fs.readFileSync(README_PATH, 'utf8')): ReadmeFile[] {
  return readmeTypeScriptBlocks(readme).flatMap(code => {
    const name = /^\/\/ ([\w.-]+\.ts)\b/.exec(code)?.[1];
    return name ? [{ name, code }] : [];
  });
}

/** The README file with this name; fails when there is none. */
export function readmeFile(name: string): ReadmeFile {
  const file = readmeFiles().find(f => f.name === name);
  if (!file) throw new Error(`README.md has no \`\`\`ts block starting with "// ${name}"`);
  return file;
}
