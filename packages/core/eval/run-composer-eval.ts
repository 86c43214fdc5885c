/**
 * Runs the composer's evaluation set and prints accuracy per category.
 *
 *   npm run eval:composer                 # table + every failure
 *   npm run eval:composer -- --min 0.95   # exit 1 if any category or the total is below 95 %
 *   npm run eval:composer -- --json       # machine-readable summary
 *   npm run eval:composer -- --category hostile   # only one category (repeatable)
 */
import { CASES_PATH, EVAL_BOUNDS, EVAL_CAPABILITIES, evaluateCase, loadCases, scoreOutcomes } from './check-case';

function parseArgs(argv: string[]) {
  let min: number | null = null;
  let json = false;
  let file = CASES_PATH;
  const categories: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (name: string) => {
      const inline = a.includes('=') ? a.slice(a.indexOf('=') + 1) : undefined;
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      return v;
    };
    if (a === '--json') json = true;
    else if (a === '--min' || a.startsWith('--min=')) {
      min = Number(value('--min'));
      if (!Number.isFinite(min) || min < 0 || min > 1) throw new Error('--min takes a fraction between 0 and 1, e.g. 0.95');
    } else if (a === '--category' || a.startsWith('--category=')) categories.push(value('--category'));
    else if (a === '--file' || a.startsWith('--file=')) file = value('--file');
    else if (a === '--help' || a === '-h') {
      console.log('usage: run-composer-eval.ts [--min 0.95] [--json] [--category NAME]... [--file cases.jsonl]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return { min, json, file, categories };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const oneLine = (s: string, max = 160) => {
  const t = JSON.stringify(s).slice(1, -1);
  return t.length > max ? `${t.slice(0, max)}… (${s.length} chars)` : t;
};

function main() {
  const args = parseArgs(process.argv.slice(2));
  let cases = loadCases(args.file);
  if (args.categories.length) cases = cases.filter((c) => args.categories.includes(c.category));
  if (!cases.length) throw new Error('no cases selected');

  const outcomes = cases.map((c) => evaluateCase(c, { bounds: EVAL_BOUNDS, capabilities: EVAL_CAPABILITIES }));
  const { categories, total } = scoreOutcomes(outcomes);
  const failures = outcomes.filter((o) => !o.passed);
  const dangerous = outcomes.filter((o) => o.danger);
  const below = args.min === null ? [] : [...categories, total].filter((s) => s.accuracy < args.min!).map((s) => s.category);

  if (args.json) {
    console.log(
      JSON.stringify(
        {
          cases: outcomes.length,
          passed: total.passed,
          accuracy: total.accuracy,
          min: args.min,
          below,
          dangerous: dangerous.map((o) => ({ id: o.id, reason: o.danger })),
          categories,
          failures: failures.map((o) => ({ id: o.id, category: o.category, request: o.request, status: o.result?.status ?? (o.error ? `error ${o.error.code ?? ''}`.trim() : null), mismatches: o.mismatches })),
        },
        null,
        2,
      ),
    );
  } else {
    const w = Math.max(8, ...categories.map((s) => s.category.length));
    const row = (a: string, b: string, c: string) => `${a.padEnd(w)}  ${b.padStart(9)}  ${c.padStart(8)}`;
    console.log(`\n== ${args.file.split('/').pop()}`);
    console.log(row('category', 'passed', 'accuracy'));
    console.log('-'.repeat(w + 21));
    for (const s of categories) console.log(row(s.category, `${s.passed}/${s.total}`, pct(s.accuracy)));
    console.log('-'.repeat(w + 21));
    console.log(row(total.category, `${total.passed}/${total.total}`, pct(total.accuracy)));
    if (dangerous.length) console.log(`\n${dangerous.length} DANGEROUS result(s): ${dangerous.map((o) => o.id).join(', ')}`);
    if (failures.length) {
      console.log(`\nFailures (${failures.length}):`);
      for (const o of failures) {
        console.log(`\n[${o.id}] (${o.category}) ${oneLine(o.request)}`);
        for (const m of o.mismatches) console.log(`    - ${m}`);
      }
    }
    if (args.min !== null) console.log(below.length ? `\nBelow --min ${args.min}: ${below.join(', ')}` : `\nAll categories and the total are at or above ${args.min}.`);
  }
  process.exit(below.length ? 1 : 0);
}

try {
  main();
} catch (e) {
  console.error(`run-composer-eval: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
