import { describe, expect, it } from 'vitest';
import { blankComments } from './comments.js';
import { SyntaxLayerError } from './errors.js';

describe('blankComments', () => {
  it('blanks the grammar comments of a registered language, keeping offsets and lines', () => {
    const c = 'int x; /* a\nb */ int y; // tail\n';
    const out = blankComments(c, 'c');
    expect(out).toBe('int x;     \n     int y;        \n');
    expect(out).toHaveLength(c.length);
  });

  it('blanks Python docstrings with the comments', () => {
    const py = 'def f():\n    """Doc."""\n    return 1  # one\n';
    expect(blankComments(py, 'python')).toBe('def f():\n              \n    return 1       \n');
  });

  it('scans languages without a grammar lexically, ignoring markers inside string literals', () => {
    const js = 'const u = \'http://x.org\'; // note\nrun("a /* b */ c"); /* gone */';
    expect(blankComments(js, 'javascript')).toBe('const u = \'http://x.org\';        \nrun("a /* b */ c");           ');
    expect(blankComments('system("ls #{dir}") # list\n', 'ruby')).toBe('system("ls #{dir}")       \n');
  });

  it('throws unknown-language for a language it knows no comment syntax of', () => {
    expect(() => blankComments('x', 'cobol')).toThrow(SyntaxLayerError);
    expect(() => blankComments('x', 'cobol')).toThrow(/no comment syntax for language "cobol"/);
  });
});
