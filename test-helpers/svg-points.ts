// Reads back what a report chart drew: its points (data-series/x/y and their drawn position), its
// reference lines, and whether its markup is balanced. Tests compare these with the result files.

export interface PlottedPoint {
  series: string;
  x: number;
  y: number;
  /** Drawn centre, in SVG units. */
  cx: number;
  cy: number;
}

function attributes(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

export function plottedPoints(svg: string): PlottedPoint[] {
  return [...svg.matchAll(/<(circle|rect)\b[^>]*class="point"[^>]*>/g)].map((m) => {
    const a = attributes(m[0]);
    const cx = m[1] === 'circle' ? Number(a.cx) : Number(a.x) + Number(a.width) / 2;
    const cy = m[1] === 'circle' ? Number(a.cy) : Number(a.y) + Number(a.height) / 2;
    return { series: unescape(a['data-series']), x: Number(a['data-x']), y: Number(a['data-y']), cx, cy };
  });
}

export function referenceLines(svg: string): Array<{ series: string; y: number; drawnY: number }> {
  return [...svg.matchAll(/<line\b[^>]*class="reference"[^>]*>/g)].map((m) => {
    const a = attributes(m[0]);
    return { series: unescape(a['data-series']), y: Number(a['data-y']), drawnY: Number(a.y1) };
  });
}

/** Unbalanced or stray tags and unescaped ampersands, as sentences (empty when well-formed). */
export function markupProblems(markup: string, voidTags: readonly string[] = []): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  for (const m of markup.matchAll(/<(\/?)([a-zA-Z][\w:-]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing || voidTags.includes(name.toLowerCase())) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> closes nothing open at offset ${m.index}`);
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(', ')}`);
  for (const m of markup.matchAll(/&(?!(amp|lt|gt|quot|#39);)/g)) problems.push(`bare & at offset ${m.index}`);
  return problems;
}
