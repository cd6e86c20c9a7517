import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';

const analyzer = new BuiltinAnalyzer();
const rules = (code: string) => analyzer.analyzeSync(code, 'python').map((f) => f.ruleId);

const HEAD = `import os, shlex\nfrom flask import Flask, request\napp = Flask(__name__)\n`;
const RUN = `@app.route('/run')\ndef run():\n    os.system('ls ' + CALL(request.args['d']))\n`;
const UPLOAD = `@app.route('/up', methods=['POST'])\ndef up():\n    f = request.files['f']\n    f.save(os.path.join('/srv/up', CALL(f.filename)))\n`;

// A completion trained against this analyser can try to clear a tainted value by name alone.
describe('Python taint: sanitisers are trusted by what they are, not by their name', () => {
  it('a function of the file that is named like a sanitiser but returns its input clears nothing', () => {
    for (const name of ['quote', 'secure_filename', 'escape', 'sanitize', 'clean_input', 'validate']) {
      const own = `def ${name}(s):\n    return s\n`;
      expect(rules(HEAD + own + RUN.replace('CALL', name)), name).toContain('python.os-command');
    }
    const own = 'def secure_filename(s):\n    return s\n';
    expect(rules(HEAD + own + UPLOAD.replace('CALL', 'secure_filename'))).toContain('python.path-traversal');
  });

  it('a class of the file that shadows a sanitising module clears nothing', () => {
    const shadow = 'class shlex:\n    @staticmethod\n    def quote(s):\n        return s\n';
    expect(rules(HEAD.replace('import os, shlex', 'import os') + shadow + RUN.replace('CALL', 'shlex.quote'))).toContain(
      'python.os-command',
    );
  });

  it('a broad sanitiser name that nothing imports or defines clears nothing', () => {
    expect(rules(HEAD + RUN.replace('CALL', 'sanitize_arg'))).toContain('python.os-command');
  });

  it("wrapping a value in the file's own pass-through function keeps its taint for every sink", () => {
    const own = 'def wrap(s):\n    return s\n';
    expect(rules(HEAD + own + UPLOAD.replace('CALL', 'wrap'))).toContain('python.path-traversal');
  });

  it('the real sanitisers, imported, and helpers of the file that do sanitise stay clean', () => {
    expect(rules(HEAD + RUN.replace('CALL', 'shlex.quote'))).not.toContain('python.os-command');
    const helper = 'def safe_name(n):\n    return os.path.basename(n)\n';
    expect(rules(HEAD + helper + UPLOAD.replace('CALL', 'safe_name'))).not.toContain('python.path-traversal');
    const imported = HEAD.replace('import os, shlex', 'import os\nfrom werkzeug.utils import secure_filename');
    expect(rules(imported + UPLOAD.replace('CALL', 'secure_filename'))).not.toContain('python.path-traversal');
  });
});
