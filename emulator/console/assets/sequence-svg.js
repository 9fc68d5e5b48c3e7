// Draws a conversation's sequence model (GET /console/api/sequence, emulator/inspect/sequence.ts) as
// plain SVG: one lifeline per actor (customer or bot bridge, flow, queues, agents), one row per step
// (arrows for what one side did to another, notes for what one side decided), emulator times in the
// left margin. No renderer library: the model is already laid out as rows, so this is a few shapes.

const NS = 'http://www.w3.org/2000/svg';
const CHAR_PX = 6.6; // average width of a 12 px system-ui character, to size columns and wrap notes
const TIME_W = 96;
const HEAD_H = 44;
const ROW_H = 30;
const LINE_H = 15;
const PAD = 12;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(key, value);
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(child));
  return el;
}

/** Splits a note's text into lines of at most `max` characters, at spaces where it can. */
function wrap(text, max) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > max) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
    while (line.length > max) {
      lines.push(line.slice(0, max));
      line = line.slice(max);
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The gap between lifelines: wide enough for the longest arrow label over the columns it spans. */
function columnGap(model, index) {
  let gap = 150;
  for (const s of model.steps) {
    if (s.kind !== 'arrow') continue;
    const span = Math.abs(index.get(s.to) - index.get(s.from)) || 1;
    gap = Math.max(gap, (s.label.length * CHAR_PX + 24) / span);
  }
  return Math.min(gap, 300);
}

/** The SVG element for a model; `title` names it for assistive technology. */
export function drawSequence(model, title) {
  const index = new Map(model.actors.map((a, i) => [a.id, i]));
  const gap = columnGap(model, index);
  const x = (id) => TIME_W + gap / 2 + index.get(id) * gap;
  const noteChars = Math.max(12, Math.floor((gap - 16) / CHAR_PX));
  const width = TIME_W + gap * model.actors.length;

  const rows = [];
  let y = HEAD_H + PAD;
  let lastTime = '';
  for (const step of model.steps) {
    const lines = step.kind === 'note' ? wrap(step.label, noteChars) : [step.label];
    const height = step.kind === 'note' ? Math.max(ROW_H, lines.length * LINE_H + 10) : ROW_H;
    const time = step.time !== lastTime ? step.time.slice(11, 23) : '';
    lastTime = step.time;
    rows.push({ step, lines, y, height, time });
    y += height;
  }
  const height = y + PAD;

  const root = svg('svg', {
    class: 'sequence',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': title,
  });
  // It shrinks to the page's width (max-width in console.css), but not below 70 %: then it scrolls.
  root.style.minWidth = `${Math.round(width * 0.7)}px`;
  root.append(
    svg('defs', {}, marker('head', 'M0,0 L8,4 L0,8 z'), marker('cross', 'M0,0 L8,8 M8,0 L0,8', true)),
  );
  // Actor names are bold, so wider per character than notes.
  const headChars = Math.floor((gap - 24) / 7.4);
  for (const actor of model.actors) {
    const cx = x(actor.id);
    const label = actor.label.length > headChars ? `${actor.label.slice(0, headChars - 1)}…` : actor.label;
    root.append(
      svg(
        'g',
        { class: `actor ${actor.kind}`, 'data-actor-id': actor.id },
        svg('title', {}, actor.label),
        svg('line', { class: 'lifeline', x1: cx, x2: cx, y1: HEAD_H - 8, y2: height - PAD }),
        svg('rect', { x: cx - gap / 2 + 6, y: 4, width: gap - 12, height: HEAD_H - 12, rx: 4 }),
        svg('text', { x: cx, y: HEAD_H / 2 + 2, 'text-anchor': 'middle' }, label),
      ),
    );
  }
  for (const { step, lines, y: top, height: h, time } of rows) {
    const g = svg('g', {
      class: `step ${step.kind} ${step.style}`,
      'data-from': step.from,
      'data-to': step.to,
      'data-time': step.time,
    });
    if (time) g.append(svg('text', { class: 'time', x: 6, y: top + 18 }, time));
    if (step.kind === 'note') {
      const cx = x(step.from);
      const w = Math.min(gap - 12, Math.max(...lines.map((l) => l.length)) * CHAR_PX + 16);
      g.append(svg('rect', { x: cx - w / 2, y: top + 3, width: w, height: h - 6, rx: 3 }));
      lines.forEach((line, i) => {
        g.append(svg('text', { x: cx, y: top + 16 + i * LINE_H, 'text-anchor': 'middle' }, line));
      });
    } else if (step.from === step.to) {
      // An arrow back to the same actor: a small loop to its right.
      const cx = x(step.from);
      g.append(
        svg('path', { d: `M${cx},${top + 12} h24 v10 h-22`, 'marker-end': 'url(#head)' }),
        svg('text', { x: cx + 30, y: top + 20 }, step.label),
      );
    } else {
      const x1 = x(step.from);
      const x2 = x(step.to);
      const dir = Math.sign(x2 - x1);
      g.append(
        svg('line', {
          x1,
          x2: x2 - dir * 2,
          y1: top + 22,
          y2: top + 22,
          'marker-end': step.style === 'lost' ? 'url(#cross)' : 'url(#head)',
        }),
        svg('text', { x: (x1 + x2) / 2, y: top + 16, 'text-anchor': 'middle' }, step.label),
      );
    }
    root.append(g);
  }
  return root;
}

function marker(id, d, stroke = false) {
  return svg(
    'marker',
    { id, viewBox: '0 0 8 8', refX: 8, refY: 4, markerWidth: 8, markerHeight: 8, orient: 'auto' },
    svg('path', { d, class: stroke ? 'stroke' : 'fill' }),
  );
}
