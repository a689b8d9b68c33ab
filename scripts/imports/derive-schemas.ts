// `npx projen import`, first step: (re)writes imports/ from the vendors' files in ../shared/crds.
// Runs before the bindings are regenerated, so a missing shared folder fails before anything is deleted.
//
//   ts-node --project scripts/tsconfig.json scripts/imports/derive-schemas.ts [crds-dir] [imports-dir]
import * as fs from 'fs';
import * as path from 'path';
import { deriveSchemas, SchemaDerivationError } from './schema-derivation';

const root = path.join(__dirname, '..', '..');
const crdsDir = path.resolve(process.argv[2] ?? path.join(root, '..', 'shared', 'crds'));
const importsDir = path.resolve(process.argv[3] ?? path.join(root, 'imports'));

let files;
try {
  files = deriveSchemas(crdsDir);
} catch (e) {
  if (!(e instanceof SchemaDerivationError)) throw e;
  process.stderr.write(`npx projen import: ${e.message}\n`);
  process.exit(2);
}
// imports/ holds only derived files: a schema that is no longer derived must not linger.
fs.rmSync(importsDir, { recursive: true, force: true });
let bytes = 0;
for (const file of files) {
  const full = path.join(importsDir, file.path);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, file.content);
  bytes += Buffer.byteLength(file.content);
}
process.stdout.write(`derive-schemas: wrote ${files.length} files (${bytes} bytes) to ${path.relative(process.cwd(), importsDir) || '.'} `
  + `from ${crdsDir}\n`);
