/**
 * `npm run docs:screenshots`: renders the example job summary and PR comment (docs/examples/, written by
 * `npm run docs:examples` from a real run against the sandbox) the way GitHub shows them, and takes
 * PNG screenshots with headless Chromium: docs/images/job-summary.png and docs/images/pr-comment.png.
 *
 * GitHub renders markdown with cmark-gfm and sanitises the HTML; markdown-it with HTML allowed and
 * GitHub's own stylesheet (github-markdown-css) is close enough to judge the layout: headings, tables,
 * collapsed <details>, code. GitHub's alert syntax (`> [!NOTE]`) shows as a plain quote here.
 *
 * Needs Debian's `chromium` (apt-get install chromium fonts-noto-color-emoji); not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const css = readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!chromium) {
  console.error('docs:screenshots needs Chromium: apt-get install chromium fonts-noto-color-emoji');
  process.exit(2);
}

const markdown = new MarkdownIt({ html: true, linkify: false, breaks: false });

/** The example file without its generated intro (everything up to the first `---` line). */
function example(path: string): string {
  const text = readFileSync(join(root, path), 'utf8');
  const rule = text.indexOf('\n---\n');
  return rule >= 0 ? text.slice(rule + 5) : text;
}

function page(title: string, body: string, frame: 'summary' | 'comment'): string {
  const box =
    frame === 'comment'
      ? 'border:1px solid #d1d9e0;border-radius:6px;padding:0;'
      : 'border:1px solid #d1d9e0;border-radius:6px;padding:24px 32px;';
  const header =
    frame === 'comment'
      ? '<div style="background:#f6f8fa;border-bottom:1px solid #d1d9e0;padding:8px 16px;font:14px -apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#59636e"><b style="color:#1f2328">github-actions</b> <span style="border:1px solid #d1d9e0;border-radius:2em;padding:0 6px;font-size:12px">bot</span> commented</div><div style="padding:16px">'
      : '<div style="font:600 14px -apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;margin-bottom:16px">Deploy summary</div>';
  const close = frame === 'comment' ? '</div>' : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>${css}
body { margin: 0; padding: 24px; background: #fff; }
.frame { ${box} max-width: 920px; }
.markdown-body { font-size: 14px; }
</style></head><body><div class="frame">${header}<article class="markdown-body">${body}</article>${close}</div>
<script>document.title = String(Math.ceil(document.querySelector('.frame').getBoundingClientRect().bottom) + 24);</script></body></html>`;
}

function render(html: string, out: string, width: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'prg-shot-'));
  try {
    const file = join(dir, 'page.html');
    writeFileSync(file, html);
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1', `--user-data-dir=${join(dir, 'profile')}`];
    // First the page's height (the script puts it in the title), then a screenshot of exactly that.
    const dom = execFileSync(chromium!, [...flags, `--window-size=${width},800`, '--dump-dom', `file://${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const height = Math.min(6000, Number(/<title>(\d+)<\/title>/.exec(dom)?.[1] ?? 1200) + 8);
    mkdirSync(join(root, 'docs/images'), { recursive: true });
    execFileSync(chromium!, [...flags, `--window-size=${width},${height}`, `--screenshot=${join(root, out)}`, `file://${file}`], { stdio: 'ignore' });
    console.log(`${out}: ${width}×${height}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

render(page('Job summary', markdown.render(example('docs/examples/failed-migrate-summary.md')), 'summary'), 'docs/images/job-summary.png', 1000);
render(page('PR comment', markdown.render(example('docs/examples/failed-migrate-comment.md')), 'comment'), 'docs/images/pr-comment.png', 1000);
