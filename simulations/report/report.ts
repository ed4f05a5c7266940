// Assembles a report from checked result files: which charts exist, their file names, and the page.
// Pure (files in, file contents out), so the command only reads and writes; the output depends on
// the inputs alone (no date), so a chart committed to the repository changes only with its data.

import { epsilonChart, populationOf, privacyUtilityChart, qualityChart } from './charts.js';
import { type PageChart, type PageInput, renderPage } from './page.js';
import type { BaselineFigures, ResultFile, RunResult } from './result-files.js';
import { renderChart } from './svg-chart.js';

export interface ReportFile {
  name: string;
  content: string;
}

export const defaultTitle = 'fedrec report';

/** File-name-safe, and unique across the report ("sim", "sim-2", …). */
function uniqueNames<T extends ResultFile>(results: T[]): T[] {
  const seen = new Map<string, number>();
  return results.map((r) => {
    const slug = r.name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'run';
    const count = (seen.get(slug) ?? 0) + 1;
    seen.set(slug, count);
    return { ...r, name: count === 1 ? slug : `${slug}-${count}` };
  });
}

/**
 * The baseline of a population: the one whose `data` names it; a baseline file that does not say
 * its population (older files) applies when it is the only one given.
 */
function baselineFor(population: string, baselines: BaselineFigures[]): BaselineFigures | undefined {
  return baselines.find((b) => b.population === population) ?? (baselines.length === 1 && baselines[0].population === null ? baselines[0] : undefined);
}

export function buildReport(results: ResultFile[], title = defaultTitle): ReportFile[] {
  const named = uniqueNames(results);
  const runs = named.filter((r): r is RunResult => r.kind === 'simulation');
  const baselines = named.filter((r): r is BaselineFigures => r.kind === 'baseline');
  const files: ReportFile[] = [];
  const chart = (file: string, spec: Parameters<typeof renderChart>[0], caption: string): PageChart => {
    const svg = renderChart(spec);
    files.push({ name: file, content: svg });
    return { file, svg, caption };
  };

  const populations = [...new Set(runs.map(populationOf))];
  const curves: PageInput['curves'] = populations.map((population, i) => {
    const group = runs.filter((r) => populationOf(r) === population);
    const file = i === 0 ? 'privacy-utility.svg' : `privacy-utility-${i + 1}.svg`;
    const spec = privacyUtilityChart(group, baselineFor(population, baselines), `privacy-utility-${i + 1}`);
    if (spec) return { population, chart: chart(file, spec, `Final HR@10 against final ε of the ${group.length} runs on ${population}.`), note: null };
    // One run is a report on that run; say why a comparison of several has no curve.
    const note = group.length > 1 ? `no privacy–utility curve: it needs two runs with a finite ε and a final HR@10, and ${group.length} runs here have ${group.filter((r) => r.final.epsilon !== null && r.final.hr10 !== null).length}.` : null;
    return { population, chart: null, note };
  });

  const perRun = runs.map((run) => {
    const baseline = baselineFor(populationOf(run), baselines);
    return {
      run,
      charts: [
        chart(`${run.name}-quality.svg`, qualityChart(run, baseline, `${run.name}-quality`), `HR@10 and NDCG@10 at each evaluated round of ${run.source}${baseline ? `; dashed: the central baselines of ${baseline.source}` : ''}.`),
        chart(`${run.name}-epsilon.svg`, epsilonChart(run, `${run.name}-epsilon`), `ε spent after each round of ${run.source}.`),
      ],
    };
  });

  files.push({ name: 'index.html', content: renderPage({ title, runs, baselines, curves, perRun }) });
  return files;
}
