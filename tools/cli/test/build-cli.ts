// Tests run the real bundled CLI (what users run), not the sources: a test that passes under
// vitest's resolver while plain Node fails is exactly the bug this guards against.
// @ts-expect-error build.mjs is plain JS
import { buildCli } from '../build.mjs';

export default async function setup(): Promise<void> {
  await buildCli();
}
