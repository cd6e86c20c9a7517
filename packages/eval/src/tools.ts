import type { Severity } from '@srcode/dataset';
import type { RawToolFinding, ToolSpec } from './external.js';

/** CWE of each bandit test id (bandit 1.6 reports none itself). */
export const BANDIT_CWE: Readonly<Record<string, string>> = {
  B101: 'CWE-703',
  B102: 'CWE-78',
  B103: 'CWE-732',
  B104: 'CWE-605',
  B105: 'CWE-259',
  B106: 'CWE-259',
  B107: 'CWE-259',
  B108: 'CWE-377',
  B110: 'CWE-703',
  B112: 'CWE-703',
  B201: 'CWE-94',
  B301: 'CWE-502',
  B302: 'CWE-502',
  B303: 'CWE-327',
  B304: 'CWE-327',
  B305: 'CWE-327',
  B306: 'CWE-377',
  B307: 'CWE-78',
  B308: 'CWE-79',
  B310: 'CWE-22',
  B311: 'CWE-330',
  B312: 'CWE-319',
  B313: 'CWE-20',
  B314: 'CWE-20',
  B315: 'CWE-20',
  B316: 'CWE-20',
  B317: 'CWE-20',
  B318: 'CWE-20',
  B319: 'CWE-20',
  B320: 'CWE-20',
  B321: 'CWE-319',
  B322: 'CWE-78',
  B323: 'CWE-295',
  B324: 'CWE-327',
  B325: 'CWE-377',
  B401: 'CWE-319',
  B402: 'CWE-319',
  B403: 'CWE-502',
  B404: 'CWE-78',
  B405: 'CWE-20',
  B406: 'CWE-20',
  B407: 'CWE-20',
  B408: 'CWE-20',
  B409: 'CWE-20',
  B410: 'CWE-20',
  B411: 'CWE-20',
  B412: 'CWE-319',
  B413: 'CWE-327',
  B501: 'CWE-295',
  B502: 'CWE-327',
  B503: 'CWE-327',
  B504: 'CWE-327',
  B505: 'CWE-326',
  B506: 'CWE-20',
  B507: 'CWE-295',
  B601: 'CWE-78',
  B602: 'CWE-78',
  B603: 'CWE-78',
  B604: 'CWE-78',
  B605: 'CWE-78',
  B606: 'CWE-78',
  B607: 'CWE-78',
  B608: 'CWE-89',
  B609: 'CWE-78',
  B610: 'CWE-89',
  B611: 'CWE-89',
  B701: 'CWE-94',
  B702: 'CWE-80',
  B703: 'CWE-80',
};

const BANDIT_SEVERITY: Record<string, Severity> = { HIGH: 'high', MEDIUM: 'medium', LOW: 'low' };

interface BanditResult {
  filename: string;
  line_number: number;
  line_range?: number[];
  /** 0-based, in UTF-8 bytes (Python's ast), bandit 1.7 on. */
  col_offset?: number;
  /** 0-based exclusive, on the last line of `line_range`, bandit 1.7.5 on. */
  end_col_offset?: number;
  issue_severity: string;
  issue_text: string;
  test_id: string;
}

/**
 * bandit, reading its JSON report: the node's columns where bandit gives them (`col_offset`, and
 * `end_col_offset` on the last line of `line_range`), else the whole line.
 */
export const BANDIT: ToolSpec = {
  name: 'bandit',
  extensions: { python: '.py' },
  command: ['bandit'],
  args: (files) => ['-f', 'json', '-q', ...files],
  okExitCodes: [0, 1],
  versionArgs: ['--version'],
  columns: 'utf8',
  parse({ stdout }) {
    const report = JSON.parse(stdout) as { results: BanditResult[] };
    return report.results.map((r) => {
      const cwe = BANDIT_CWE[r.test_id];
      const endLine = r.line_range?.length ? Math.max(...r.line_range) : r.line_number;
      const hasEnd = typeof r.end_col_offset === 'number' && r.end_col_offset >= 0;
      return {
        file: r.filename,
        line: r.line_number,
        ...(typeof r.col_offset === 'number' && r.col_offset >= 0 ? { column: r.col_offset + 1 } : {}),
        ...(hasEnd && endLine > r.line_number ? { endLine } : {}),
        ...(hasEnd ? { endColumn: (r.end_col_offset as number) + 1 } : {}),
        ruleId: r.test_id,
        ...(cwe ? { cwe } : {}),
        severity: BANDIT_SEVERITY[r.issue_severity] ?? 'low',
        message: r.issue_text,
      };
    });
  },
};

interface SarifRule {
  id: string;
  relationships?: { target: { id: string }; kinds?: string[] }[];
}
interface SarifResult {
  ruleId: string;
  level?: string;
  rank?: number;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string };
      region: { startLine: number; endLine?: number; startColumn?: number; endColumn?: number };
    };
  }[];
}

/** Flawfinder's risk level (rank × 5, 0–5) as a severity: 4–5 high, 2–3 medium, 0–1 low. */
function flawfinderSeverity(rank: number | undefined, level: string | undefined): Severity {
  const risk = rank === undefined ? (level === 'error' ? 4 : level === 'warning' ? 2 : 1) : Math.round(rank * 5);
  return risk >= 4 ? 'high' : risk >= 2 ? 'medium' : 'low';
}

/**
 * flawfinder, reading its SARIF 2.1.0 report; CWE from each rule's first relationship. Its SARIF lists
 * every hit, risk level 0 among them (`rank` 0: a constant format string, a bounded scanf), which its
 * own report leaves out by default (`--minlevel 1`): so does this adapter.
 */
export const FLAWFINDER: ToolSpec = {
  name: 'flawfinder',
  extensions: { c: '.c', cpp: '.cpp' },
  command: ['flawfinder'],
  args: (files) => ['--sarif', ...files],
  okExitCodes: [0],
  versionArgs: ['--version'],
  columns: 'codepoint',
  parse({ stdout }) {
    const log = JSON.parse(stdout) as { runs: { tool: { driver: { rules?: SarifRule[] } }; results: SarifResult[] }[] };
    const out: RawToolFinding[] = [];
    for (const run of log.runs) {
      const cweOf = new Map((run.tool.driver.rules ?? []).map((r) => [r.id, r.relationships?.[0]?.target.id]));
      for (const r of run.results) {
        const region = r.locations[0]?.physicalLocation.region;
        const uri = r.locations[0]?.physicalLocation.artifactLocation.uri;
        if (!region || !uri) continue;
        if (r.rank !== undefined && Math.round(r.rank * 5) < 1) continue;
        const cwe = cweOf.get(r.ruleId) ?? /CWE-\d+/.exec(r.message.text)?.[0];
        out.push({
          file: uri,
          line: region.startLine,
          ...(region.startColumn ? { column: region.startColumn } : {}),
          ...(region.endLine && region.endLine > region.startLine ? { endLine: region.endLine } : {}),
          ...(region.endColumn ? { endColumn: region.endColumn } : {}),
          ruleId: r.ruleId,
          ...(cwe ? { cwe } : {}),
          severity: flawfinderSeverity(r.rank, r.level),
          message: r.message.text,
        });
      }
    }
    return out;
  },
};

const CPPCHECK_SEVERITY: Record<string, Severity> = {
  error: 'high',
  warning: 'medium',
  portability: 'low',
  style: 'low',
  performance: 'low',
  information: 'low',
};

function xmlAttr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m?.[1]
    ?.replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** cppcheck's reports about itself (unparsable input, missing headers, limits): not findings about the code. */
const CPPCHECK_DIAGNOSTICS = new Set([
  'missingInclude',
  'missingIncludeSystem',
  'syntaxError',
  'internalAstError',
  'internalError',
  'cppcheckError',
  'unknownMacro',
  'preprocessorErrorDirective',
  'noValidConfiguration',
  'toomanyconfigs',
  'checkersReport',
  'normalCheckLevelMaxBranches',
]);

/** cppcheck, reading its XML v2 report (on stderr); errors, warnings and portability issues only, one preprocessor configuration per file. */
export const CPPCHECK: ToolSpec = {
  name: 'cppcheck',
  extensions: { c: '.c', cpp: '.cpp' },
  command: ['cppcheck'],
  args: (files) => ['--xml', '--xml-version=2', '--enable=warning,portability', '--max-configs=1', '--quiet', '--inline-suppr', ...files],
  okExitCodes: [0],
  versionArgs: ['--version'],
  columns: 'utf8',
  parse({ stderr }) {
    const out: RawToolFinding[] = [];
    for (const m of stderr.matchAll(/<error\s[^>]*?(?:\/>|>[\s\S]*?<\/error>)/g)) {
      const block = m[0];
      const open = /<error\s[^>]*>/.exec(block)?.[0] ?? block;
      const loc = /<location\s[^>]*>/.exec(block)?.[0];
      const file = loc ? xmlAttr(loc, 'file') : xmlAttr(open, 'file0');
      const line = Number(loc ? xmlAttr(loc, 'line') : 0);
      const id = xmlAttr(open, 'id') ?? 'unknown';
      if (!file || !line || CPPCHECK_DIAGNOSTICS.has(id)) continue;
      const cwe = xmlAttr(open, 'cwe');
      const column = Number(loc ? xmlAttr(loc, 'column') : 0);
      out.push({
        file,
        line,
        ...(column > 0 ? { column } : {}),
        ruleId: id,
        ...(cwe ? { cwe: `CWE-${cwe}` } : {}),
        severity: CPPCHECK_SEVERITY[xmlAttr(open, 'severity') ?? ''] ?? 'low',
        message: xmlAttr(open, 'msg') ?? id,
      });
    }
    return out;
  },
};

/** Every external tool this package knows, registered in one place. */
export const TOOL_SPECS: readonly ToolSpec[] = [BANDIT, FLAWFINDER, CPPCHECK];
