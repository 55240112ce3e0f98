// Bundles the console into the service's class output: `node build.mjs [outDir]`.
// Maven passes ${project.build.outputDirectory}/META-INF/resources/console, so Quarkus serves it at /console/.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2] ?? '../../../target/classes/META-INF/resources/console';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['es2020'],
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
for (const f of ['index.html', 'console.css']) {
  copyFileSync(join('src', f), join(out, f));
}
console.log(`console built into ${out}`);
