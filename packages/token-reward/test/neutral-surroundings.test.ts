import { describe, expect, it } from 'vitest';
import { matchCompletion, profilePair } from '../src/index.js';
import { markedPair } from './helpers.js';

// Code around the pair's function (imports, a logger, other functions) gets no spans: a unit matches
// another function's code only if something in it is the pair's (an API name, a string, its place).

const spansOf = (pair: ReturnType<typeof markedPair>, text: string) =>
  matchCompletion(profilePair(pair), text).spans.map((s) => `${s.polarity} ${text.slice(s.start, s.end)}`);

describe('neutral surroundings', () => {
  // the fix tests another flag: a condition with neither an API call nor a string in it
  const flags = markedPair(
    'c-flag',
    'c',
    `int store(struct config *config, int fd) {
  if (config->qmode & [-QMODE_RAW-]{+QMODE_NO_STORE+})
    return 0;
  return write_header(fd, config);
}
`,
  );
  const other = `static int show(struct image *image) {
  if (image->matte & MATTE_ON)
    return 1;
  if (image->depth & DEPTH_MASK)
    draw(image);
  return 0;
}
`;

  it('a condition of the same shape in another function is not the unit', () => {
    expect(spansOf(flags, other)).toEqual([]);
    const whole = `#include <stdio.h>\n\n${other}\n${flags.vulnerableCode}\n${other.replace('show', 'show2')}`;
    expect(spansOf(flags, whole)).toEqual(['vulnerable (config->qmode & QMODE_RAW)']);
  });

  it('the same condition in the pair function rewritten, out of its place, beside a match of the same side', () => {
    // the flag test made a loop's condition: not where the reference has it
    const moved = `int store_file(struct config *cfg, int out) {
  while (cfg->qmode & QMODE_RAW)
    out = next(out);
  return write_header(out, cfg);
}
`;
    expect(spansOf(flags, moved)).toEqual([]);
    const fixedPair = markedPair(
      'c-flag-call',
      'c',
      `int store(struct config *config, int fd) {
  if (config->qmode & [-QMODE_RAW-]{+QMODE_NO_STORE+})
    return 0;
  return [-write_header(fd, config)-]{+write_checked(fd, config, sizeof *config)+};
}
`,
    );
    expect(spansOf(fixedPair, moved)).toEqual(['vulnerable (cfg->qmode & QMODE_RAW)', 'vulnerable write_header(out, cfg)']);
  });

  it('a call of another function in the same shape is not a unit that calls an API', () => {
    const py = markedPair(
      'py-dir',
      'python',
      `def save(base, name):
    path = os.path.join(base, name)
    {+utils.ensure_safe(path)
    +}return open(path, "w")
`,
    );
    const header = 'import logging\nimport os\n\nlogger = logging.getLogger(__name__)\n\n';
    expect(spansOf(py, `${header}def other(x):\n    return helpers.normalise(x)\n`)).toEqual([]);
    expect(spansOf(py, `${header}${py.fixedCode}`)).toEqual(['secure utils.ensure_safe(path)']);
  });
});
