import type { Finding, Severity } from '@srcode/dataset';

/** A SARIF result level; `high`, `medium` and `low` findings map to `error`, `warning` and `note`. */
export type SarifLevel = 'error' | 'warning' | 'note';

/** SARIF level of each severity. */
export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = { high: 'error', medium: 'warning', low: 'note' };
/** Numeric `security-severity` property (the scale code-scanning UIs read) for each severity. */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { high: '8.0', medium: '5.0', low: '2.0' };

/** One analysed artefact: its name and the findings on it. */
export interface SarifInput {
  /** The artefact's URI in the log, e.g. a path relative to the repository. */
  file: string;
  /** The findings on it, with ranges in UTF-16 units of its text. */
  findings: readonly Finding[];
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

export interface SarifRun {
  tool: { driver: { name: string; version?: string; informationUri?: string; rules: SarifReportingDescriptor[] } };
  artifacts: { location: { uri: string } }[];
  results: SarifResultOut[];
  columnKind: 'utf16CodeUnits';
}

export interface SarifReportingDescriptor {
  id: string;
  name?: string;
  shortDescription: { text: string };
  help?: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; 'security-severity': string };
}

export interface SarifResultOut {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; index: number };
      region: { startLine?: number; endLine?: number; charOffset: number; charLength: number };
    };
  }[];
  properties: { analyzer: string; cwe?: string };
}

/** Findings as one SARIF 2.1.0 log: a single run, one rule per (analyser, rule id), offsets in UTF-16 units. */
export function toSarif(inputs: readonly SarifInput[], options: SarifOptions = {}): SarifLog {
  const rules: SarifReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const results: SarifResultOut[] = [];
  inputs.forEach((input, artifactIndex) => {
    for (const f of input.findings) {
      const id = `${f.analyzer}/${f.ruleId}`;
      let index = ruleIndex.get(id);
      if (index === undefined) {
        index = rules.length;
        ruleIndex.set(id, index);
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
        ruleIndex: index,
        level: SARIF_LEVEL[f.severity],
        message: { text: f.remediation ? `${f.message} ${f.remediation}` : f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: input.file, index: artifactIndex },
              region: {
                ...(f.lines ? { startLine: f.lines.start, endLine: f.lines.end } : {}),
                charOffset: f.range.start,
                charLength: f.range.end - f.range.start,
              },
            },
          },
        ],
        properties: { analyzer: f.analyzer, ...(f.cwe ? { cwe: f.cwe } : {}) },
      });
    }
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: options.toolName ?? 'srcode-eval', ...(options.toolVersion ? { version: options.toolVersion } : {}), rules },
        },
        artifacts: inputs.map((i) => ({ location: { uri: i.file } })),
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
