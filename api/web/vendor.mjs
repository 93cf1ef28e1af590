// Copy the few built files the page needs out of node_modules into vendor/ (served at /static/vendor/).
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = {
  'cytoscape.min.js': 'cytoscape/dist/cytoscape.min.js',
  'swagger-ui-bundle.js': 'swagger-ui-dist/swagger-ui-bundle.js',
  'swagger-ui.css': 'swagger-ui-dist/swagger-ui.css',
  'graphiql.min.js': 'graphiql/graphiql.min.js',
  'graphiql.min.css': 'graphiql/graphiql.min.css',
  'react.production.min.js': 'react/umd/react.production.min.js',
  'react-dom.production.min.js': 'react-dom/umd/react-dom.production.min.js',
};
mkdirSync(join(here, 'vendor'), { recursive: true });
for (const [name, source] of Object.entries(files)) {
  const from = join(here, 'node_modules', source);
  if (!existsSync(from)) throw new Error(`missing ${from}: run npm ci in ${here}`);
  copyFileSync(from, join(here, 'vendor', name));
}
console.log(`vendored ${Object.keys(files).length} files into ${join(here, 'vendor')}`);
