// Markdown → sanitised HTML for replies: marked for the markdown, KaTeX for $…$ / $$…$$ / \(…\) /
// \[…\], highlight.js for fenced code (each block gets a "Copy" button, wired up by the component that
// shows it), DOMPurify last so nothing a model writes can run script in the page.
import { Marked, type Tokens } from 'marked';
import DOMPurify from 'dompurify';
import katex from 'katex';
import hljs from 'highlight.js/lib/common';

function math(tex: string, displayMode: boolean): string {
  return katex.renderToString(tex, { displayMode, throwOnError: false, output: 'htmlAndMathml' });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  extensions: [
    {
      name: 'blockMath',
      level: 'block',
      start: (src: string) => src.match(/\$\$|\\\[/)?.index,
      tokenizer(src: string) {
        const m = /^(?:\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\])/.exec(src);
        if (m) return { type: 'blockMath', raw: m[0], text: (m[1] ?? m[2]).trim() };
        return undefined;
      },
      renderer: (t) => `<div class="math-block">${math((t as unknown as { text: string }).text, true)}</div>`,
    },
    {
      name: 'inlineMath',
      level: 'inline',
      start: (src: string) => src.match(/\$|\\\(/)?.index,
      tokenizer(src: string) {
        // $…$ needs a non-space just inside each dollar, so prices like "$5 and $6" stay text.
        const m = /^(?:\$(?!\s)((?:\\.|[^$\\\n])+?)(?<!\s)\$(?!\d)|\\\(([\s\S]+?)\\\))/.exec(src);
        if (m) return { type: 'inlineMath', raw: m[0], text: m[1] ?? m[2] };
        return undefined;
      },
      renderer: (t) => math((t as unknown as { text: string }).text, false),
    },
  ],
  renderer: {
    code({ text, lang }: Tokens.Code): string {
      const language = (lang ?? '').trim().split(/\s+/)[0];
      const body = language && hljs.getLanguage(language) ? hljs.highlight(text, { language }).value : hljs.highlightAuto(text).value;
      return `<div class="code-block"><div class="code-head"><span>${escapeHtml(language || 'code')}</span>` +
        `<button type="button" class="copy-code" aria-label="Copy code">Copy code</button></div>` +
        `<pre><code class="hljs">${body}</code></pre></div>`;
    },
  },
});

/** Safe HTML for a reply's markdown. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false }) as string;
  return DOMPurify.sanitize(html, { ADD_ATTR: ['aria-label', 'aria-hidden'] });
}
