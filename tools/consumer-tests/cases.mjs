// The three consumer tests. Each gets the packed tarballs, builds its own project in a new
// temporary directory outside the repository, and returns a short summary (or throws).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { assert, consumerProject, installedPackages, polytoyClosure, readmeExample, repoRoot, repoVersion, sh } from './lib.mjs';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const fixture = (name) => readFileSync(join(fixtures, name), 'utf8');
const tfjs = () => ({
  '@tensorflow/tfjs-core': repoVersion('@tensorflow/tfjs-core'),
  '@tensorflow/tfjs-backend-wasm': repoVersion('@tensorflow/tfjs-backend-wasm'),
});

/** (a) A Node project with only @polytoy/trainer (+ its dependencies and tfjs): README example, a checked run, types. */
export async function trainerInNode({ tarballs, packages }) {
  const project = await consumerProject('trainer', {
    tarballs,
    polytoy: ['@polytoy/trainer'],
    thirdParty: { ...tfjs(), '@types/node': repoVersion('@types/node') },
    files: {
      'trainer-check.mjs': fixture('trainer-check.mjs'),
      'types-check.ts': fixture('types-check.ts'),
      'tsconfig.json': fixture('types-tsconfig.json'),
    },
  });
  const { dir } = project;
  const installed = installedPackages(dir).filter((n) => n.startsWith('@polytoy/'));
  const expected = polytoyClosure('@polytoy/trainer', packages);
  assert(
    installed.join() === expected.join(),
    `installed @polytoy packages ${installed} differ from trainer's closure ${expected}`,
  );

  // The README's example, as written (TypeScript-tagged blocks are stripped of types first).
  const readme = join(dir, 'node_modules/@polytoy/trainer/README.md');
  const example = await readmeExample(readme, ["from '@polytoy/trainer'", 'train(']);
  writeFileSync(join(dir, 'readme-example.mjs'), example.js);
  const t0 = Date.now();
  const ran = await sh('node', ['readme-example.mjs'], { cwd: dir, timeoutMs: 15 * 60_000 });
  const readmeSeconds = (Date.now() - t0) / 1000;
  const jsonLines = ran.out.split('\n').filter((l) => l.startsWith('{"step"'));
  assert(jsonLines.length > 0, 'the README example printed no JSON-lines loss records');
  const checkpoint = join(dir, 'runs/demo/checkpoint.json');
  assert(existsSync(checkpoint), 'the README example wrote no checkpoint');
  // The format the installed package declares is the one its checkpoint carries.
  const declared = await sh(
    'node',
    ['--input-type=module', '-e', "import { CHECKPOINT_FORMAT } from '@polytoy/trainer'; console.log(CHECKPOINT_FORMAT)"],
    { cwd: dir },
  );
  const format = JSON.parse(readFileSync(checkpoint, 'utf8')).format;
  const declaredFormat = declared.out.trim().split('\n').at(-1);
  assert(format === declaredFormat, `checkpoint format ${format}, the package declares ${declaredFormat}`);

  const checked = await sh('node', ['trainer-check.mjs'], { cwd: dir });
  const summary = JSON.parse(checked.out.trim().split('\n').at(-1));

  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  await sh('node', [tsc, '-p', 'tsconfig.json'], { cwd: dir });

  return {
    dir,
    lines: [
      `installed ${installed.join(', ')} + tfjs ${tfjs()['@tensorflow/tfjs-core']} in ${project.installSeconds.toFixed(0)} s`,
      `README example: exit 0 in ${readmeSeconds.toFixed(1)} s, ${jsonLines.length} loss records, checkpoint written`,
      `checked run: backend ${summary.runtime.backend}, simd ${summary.runtime.simd}, losses ${summary.losses
        .map((l) => `${l.first.toFixed(4)} -> ${l.final.toFixed(4)}`)
        .join(', ')}`,
      'types: tsc (NodeNext) resolves @polytoy/trainer and @polytoy/trainer/node declarations',
    ],
  };
}

/** (b) @polytoy/analytic alone: no tfjs package at all, and exact losses derived by hand. */
export async function analyticAlone({ tarballs, packages }) {
  const project = await consumerProject('analytic', {
    tarballs,
    polytoy: ['@polytoy/analytic'],
    files: { 'analytic-check.mjs': fixture('analytic-check.mjs') },
  });
  const { dir } = project;
  const all = installedPackages(dir);
  assert(!existsSync(join(dir, 'node_modules/@tensorflow')), `node_modules/@tensorflow exists: ${all.join(', ')}`);
  const listed = await sh('npm', ['ls', '--all', '--parseable'], { cwd: dir });
  assert(!/tensorflow|tfjs/i.test(listed.out), `npm ls mentions tfjs:\n${listed.out}`);
  const polytoy = all.filter((n) => n.startsWith('@polytoy/'));
  const expected = polytoyClosure('@polytoy/analytic', packages);
  assert(polytoy.join() === expected.join(), `installed @polytoy packages ${polytoy} differ from ${expected}`);
  const checked = await sh('node', ['analytic-check.mjs'], { cwd: dir });
  const r = JSON.parse(checked.out.trim().split('\n').at(-1));
  return {
    dir,
    lines: [
      `installed: ${all.join(', ')} (${project.installSeconds.toFixed(0)} s); no node_modules/@tensorflow, npm ls has no tfjs`,
      `zero model n=8: reconstruction ${r.zero.reconstruction} (= n/4), support ${r.zero.supportSize}`,
      `same-sign n=16 c=1/2: reconstruction ${r.sameSign.reconstruction}, l1 ${r.sameSign.l1} (4 + sqrt 2 = ${4 + Math.SQRT2})`,
    ],
  };
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A static file server for a built Vite app on 127.0.0.1 (random port). */
function serve(root) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolvePromise) => {
    server.listen(0, '127.0.0.1', () => resolvePromise({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** (c) A browser app bundled by Vite (trainer + analytic), loaded in headless Chromium. */
export async function browserWithVite({ tarballs }) {
  const project = await consumerProject('vite', {
    tarballs,
    polytoy: ['@polytoy/trainer', '@polytoy/analytic'],
    thirdParty: { ...tfjs(), vite: repoVersion('vite') },
  });
  const { dir } = project;
  for (const f of ['index.html', 'main.js', 'vite.config.js']) cpSync(join(fixtures, 'browser', f), join(dir, f));
  // The consumer serves tfjs-backend-wasm's binaries as static assets (public/ is copied to dist/).
  const wasmDir = join(dir, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  mkdirSync(join(dir, 'public/wasm'), { recursive: true });
  const wasmFiles = readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'));
  for (const f of wasmFiles) cpSync(join(wasmDir, f), join(dir, 'public/wasm', f));

  const built = await sh('node', [join(dir, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: dir });
  // A Node built-in reaching the browser bundle would show up as Vite's "externalized" warning.
  assert(!/externalized for browser compatibility/.test(built.out), `Node modules leaked into the browser bundle:\n${built.out}`);
  const bundleKb = readdirSync(join(dir, 'dist/assets'))
    .filter((f) => f.endsWith('.js'))
    .reduce((s, f) => s + readFileSync(join(dir, 'dist/assets', f)).length / 1024, 0);

  const { chromium } = await import('playwright-core');
  const { server, url } = await serve(join(dir, 'dist'));
  const profile = mkdtempSync(join(tmpdir(), 'polytoy-consumer-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: false, // the args below select the new headless mode themselves
    args: CHROMIUM_ARGS,
  });
  const logs = [];
  let outcome;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => window.__polytoy !== undefined, undefined, { timeout: 180_000 });
    outcome = await page.evaluate(() => window.__polytoy);
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  assert(outcome.ok, `the page failed: ${outcome.error}\n${logs.join('\n')}`);
  const r = outcome.result;
  assert(
    r.runtime.backend === 'wasm' && r.runtime.simd === true && r.runtime.platform === 'browser',
    `runtime ${JSON.stringify(r.runtime)}`,
  );
  assert(r.trainedRuntime.backend === 'wasm', `trained on ${r.trainedRuntime.backend}`);
  assert(r.history.length >= 3 && r.history.every(Number.isFinite), `history ${r.history}`);
  assert(r.finalLoss < r.history[0], `loss did not decrease: ${r.history[0]} -> ${r.finalLoss}`);
  assert(
    r.exactLossAfter60 < r.exactLossAfter2,
    `exact loss after 60 steps ${r.exactLossAfter60} >= after 2 ${r.exactLossAfter2}`,
  );
  return {
    dir,
    lines: [
      `installed trainer + analytic + tfjs + vite ${repoVersion('vite')} (${project.installSeconds.toFixed(0)} s); served ${wasmFiles.join(', ')} from /wasm/`,
      `vite build: ${bundleKb.toFixed(0)} kB of JS, no Node built-ins in the bundle`,
      `Chromium: backend ${r.runtime.backend}, simd ${r.runtime.simd}, threads ${r.runtime.threads}; batch loss ${r.history[0].toFixed(4)} -> ${r.finalLoss.toFixed(4)} in 60 steps`,
      `analytic in the page: exact population loss ${r.exactLossAfter2.toFixed(4)} (2 steps) -> ${r.exactLossAfter60.toFixed(4)} (60 steps)`,
    ],
  };
}
