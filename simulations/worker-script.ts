// Worker threads run compiled JavaScript. From dist/ the script sits beside this file; when this
// file runs from source (vitest), point at the compiled copy under dist/ (tests build first).

export function workerScript(name: string): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL(`../dist/simulations/${name}.js`, here);
  return new URL(`./${name}.js`, here);
}
