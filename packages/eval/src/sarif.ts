import type { Finding, FlowStep, Severity, TextRange } from '@srcode/dataset';

/** A SARIF result level; `high`, `medium` and `low` findings map to `error`, `warning` and `note`. */
export type SarifLevel = 'error' | 'warning' | 'note';

/** SARIF level of each severity. */
export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = { high: 'error', medium: 'warning', low: 'note' };
/** Numeric `security-severity` property (the scale code-scanning UIs read) for each severity. */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { high: '8.0', medium: '5.0', low: '2.0' };

/** One analysed artefact: its name and the findings on it. */
export interface SarifInput {
  /**
   * The artefact's path as the user named it (e.g. relative to the repository), or `-` for standard
   * input; written as a percent-encoded URI reference (RFC 3986), `file://` for an absolute path.
   */
  file: string;
  /** The findings on it, with ranges in UTF-16 units of its text. */
  findings: readonly Finding[];
  /**
   * The analysed text. With it, regions carry line and column numbers (SARIF §3.30.2's line/column
   * form) as well as offsets; without it, offsets only.
   */
  code?: string;
}

/** Options of `toSarif`. */
export interface SarifOptions {
  /**
   * The tool name in `runs[].tool.driver`.
   * @default 'srcode-eval'
   */
  toolName?: string;
  /** The tool version. */
  toolVersion?: string;
}

/** A SARIF 2.1.0 log as `toSarif` writes it (JSON-serialisable as it is). */
export interface SarifLog {
  /** The schema URI of SARIF 2.1.0. */
  $schema: string;
  /** Always `2.1.0`. */
  version: '2.1.0';
  /** One run: the tool, its rules, the artefacts and the results. */
  runs: SarifRun[];
}

/** The one run of a log: the tool and its rules, the artefacts and the results on them. */
export interface SarifRun {
  /** The tool that ran, with the rules its results refer to. */
  tool: {
    /** The analyser (or ensemble) and its rules. */
    driver: SarifDriver;
  };
  /** Each analysed artefact once. */
  artifacts: SarifArtifact[];
  /** One per finding. */
  results: SarifResultOut[];
  /** Columns count UTF-16 code units, as finding ranges do. */
  columnKind: 'utf16CodeUnits';
}

/** The tool of a run. */
export interface SarifDriver {
  /** The analyser's name. */
  name: string;
  /** Its version, when known. */
  version?: string;
  /** Where to read about it. */
  informationUri?: string;
  /** The rules its results refer to. */
  rules: SarifReportingDescriptor[];
}

/** One analysed artefact. */
export interface SarifArtifact {
  /** Its URI. */
  location: {
    /** Percent-encoded relative URI. */
    uri: string;
  };
  /** Said of standard input. */
  description?: SarifMessage;
}

/** A taint finding's way from source to sink (SARIF §3.36). */
export interface SarifCodeFlow {
  /** What the flow shows. */
  message?: SarifMessage;
  /** One thread: the steps in order. */
  threadFlows: {
    /** Each step, source first. */
    locations: {
      /** Where the step is. */
      location: SarifLocation;
    }[];
  }[];
}

/** A rule, once per (analyser, rule id). */
export interface SarifReportingDescriptor {
  /** `<analyser>/<rule id>`. */
  id: string;
  /** The analyser's own rule id. */
  name?: string;
  /** The rule's message. */
  shortDescription: SarifMessage;
  /** How to repair, when the analyser says. */
  help?: SarifMessage;
  /** The level of its findings. */
  defaultConfiguration: {
    /** The level. */
    level: SarifLevel;
  };
  /** `security` and the CWE as tags; the numeric severity code-scanning UIs sort by. */
  properties: {
    /** `security` and `external/cwe/cwe-<n>`. */
    tags: string[];
    /** 0.0–10.0, as a string. */
    'security-severity': string;
  };
}

/** A text region (SARIF §3.30.2): offsets always, line and column numbers (1-based, end column exclusive) when the text is known. */
export interface SarifRegion {
  /** Line of the first character. */
  startLine?: number;
  /** Column of the first character (UTF-16 units, 1-based). */
  startColumn?: number;
  /** Line of the last character (of the position just past the region, for a region ending in a newline). */
  endLine?: number;
  /** Column just past the last character; equal to `startColumn` for an empty region. */
  endColumn?: number;
  /** UTF-16 offset of the first character. */
  charOffset: number;
  /** Length in UTF-16 units. */
  charLength: number;
}

/** A location in one artefact. */
export interface SarifLocation {
  /** The artefact and the region in it. */
  physicalLocation: SarifPhysicalLocation;
  /** What happens there (flow steps). */
  message?: SarifMessage;
}

/** A region of one artefact. */
export interface SarifPhysicalLocation {
  /** The artefact, by URI and by its index in the run's `artifacts`. */
  artifactLocation: SarifArtifactLocation;
  /** Where in it. */
  region: SarifRegion;
}

/** An artefact of the run. */
export interface SarifArtifactLocation {
  /** Percent-encoded relative URI (RFC 3986), the same as in the run's `artifacts`. */
  uri: string;
  /** Its index in the run's `artifacts`. */
  index: number;
}

/** A plain-text SARIF message. */
export interface SarifMessage {
  /** The text. */
  text: string;
}

/** One finding. */
export interface SarifResultOut {
  /** The rule's `id`. */
  ruleId: string;
  /** Its index in the driver's rules. */
  ruleIndex: number;
  /** From the finding's severity. */
  level: SarifLevel;
  /** The finding's message, with its remediation. */
  message: SarifMessage;
  /** Where. */
  locations: SarifLocation[];
  /** A taint finding's way from source to sink, from `Finding.flow`. */
  codeFlows?: SarifCodeFlow[];
  /** The analysers that reported it, and the CWE. */
  properties: {
    /** The analysers that reported it. */
    analyzer: string;
    /** The CWE, `CWE-<n>`. */
    cwe?: string;
  };
}

// RFC 3986 unreserved characters plus the sub-delimiters and "@" a path segment may hold unencoded;
// ":" is encoded too, so a relative reference's first segment can never read as a scheme.
const PATH_CHAR = /[A-Za-z0-9\-._~!$&'()*+,;=@]/;

/** Percent-encode one path segment: every UTF-8 byte of a character outside `PATH_CHAR` as `%HH`. */
function encodeSegment(segment: string): string {
  let out = '';
  for (const ch of segment) {
    if (PATH_CHAR.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A file path as a SARIF artifact URI (RFC 3986): `\` read as `/`, each segment percent-encoded, `.`
 * segments dropped, an absolute path as a `file:` URI (`file:///C:/…` for a drive letter); `-` (standard
 * input) stays `-`.
 */
export function artifactUri(path: string): string {
  if (path === '-') return '-';
  const slashed = path.replace(/\\/g, '/');
  const drive = /^([A-Za-z]):\//.exec(slashed);
  const absolute = slashed.startsWith('/') || drive !== null;
  const rest = drive ? slashed.slice(2) : slashed;
  const segments = rest.split('/').filter((s, i, all) => s !== '.' && (s !== '' || i === 0 || i === all.length - 1));
  const encoded = segments.map(encodeSegment).join('/');
  if (!absolute) return encoded;
  return `file://${drive ? `/${drive[1]}:` : ''}${encoded.startsWith('/') ? '' : '/'}${encoded}`;
}

/** Offsets of each line's first character in `code`, for line/column look-ups. */
function lineStarts(code: string): number[] {
  const starts = [0];
  for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of UTF-16 offset `at`. */
function position(starts: readonly number[], at: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: at - (starts[lo] ?? 0) + 1 };
}

/** A text region for `range`: offsets, plus line and column numbers that say the same when `starts` is known. */
function region(range: TextRange, starts: readonly number[] | undefined, length: number | undefined): SarifRegion {
  const start = Math.max(0, Math.min(range.start, length ?? range.start));
  const end = Math.max(start, Math.min(range.end, length ?? range.end));
  if (!starts) return { charOffset: start, charLength: end - start };
  const from = position(starts, start);
  const to = position(starts, end);
  return {
    startLine: from.line,
    startColumn: from.column,
    endLine: to.line,
    endColumn: to.column,
    charOffset: start,
    charLength: end - start,
  };
}

/**
 * Findings as one SARIF 2.1.0 log: a single run, one rule per (analyser, rule id), each artefact once
 * (inputs naming the same file share it), regions in UTF-16 units, `codeFlows` from `Finding.flow`.
 */
export function toSarif(inputs: readonly SarifInput[], options: SarifOptions = {}): SarifLog {
  const rules: SarifReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const results: SarifResultOut[] = [];
  const artifacts: SarifRun['artifacts'] = [];
  const artifactIndex = new Map<string, number>();
  for (const input of inputs) {
    const uri = artifactUri(input.file);
    let index = artifactIndex.get(uri);
    if (index === undefined) {
      index = artifacts.length;
      artifactIndex.set(uri, index);
      artifacts.push({ location: { uri }, ...(input.file === '-' ? { description: { text: 'standard input' } } : {}) });
    }
    const starts = input.code === undefined ? undefined : lineStarts(input.code);
    const length = input.code?.length;
    const at = (range: TextRange, message?: string): SarifLocation => ({
      physicalLocation: { artifactLocation: { uri, index: index as number }, region: region(range, starts, length) },
      ...(message === undefined ? {} : { message: { text: message } }),
    });
    for (const f of input.findings) {
      const id = `${f.analyzer}/${f.ruleId}`;
      let rule = ruleIndex.get(id);
      if (rule === undefined) {
        rule = rules.length;
        ruleIndex.set(id, rule);
        rules.push({
          id,
          name: f.ruleId,
          shortDescription: { text: f.message },
          ...(f.remediation ? { help: { text: f.remediation } } : {}),
          defaultConfiguration: { level: SARIF_LEVEL[f.severity] },
          properties: { tags: ['security', ...(f.cwe ? [f.cwe] : [])], 'security-severity': SECURITY_SEVERITY[f.severity] },
        });
      }
      results.push({
        ruleId: id,
        ruleIndex: rule,
        level: SARIF_LEVEL[f.severity],
        message: { text: f.remediation ? `${f.message} ${f.remediation}` : f.message },
        locations: [at(f.range)],
        ...(f.flow?.length ? { codeFlows: [codeFlow(f.flow, at)] } : {}),
        properties: { analyzer: f.analyzer, ...(f.cwe ? { cwe: f.cwe } : {}) },
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: options.toolName ?? 'srcode-eval', ...(options.toolVersion ? { version: options.toolVersion } : {}), rules },
        },
        artifacts,
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

/** One code flow with one thread flow: the steps in order, source first. */
function codeFlow(
  flow: readonly FlowStep[],
  at: (range: TextRange, message?: string) => SarifLocation,
): NonNullable<SarifResultOut['codeFlows']>[number] {
  return { threadFlows: [{ locations: flow.map((step) => ({ location: at(step.range, step.message) })) }] };
}
