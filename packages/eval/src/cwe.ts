/**
 * The CWE hierarchy for the weaknesses this package's rules, the external tools' rules and the benchmarks
 * name: each entry's parents by the `ChildOf` relations of MITRE's Research Concepts view (CWE-1000).
 * A finding at a more specific weakness answers a query for a more general one (CWE-95 for CWE-94,
 * CWE-78 for CWE-77, CWE-89 for CWE-943 and CWE-74).
 */

/** `ChildOf` parents in view 1000, by CWE number. Pillars have none. */
const PARENTS: Readonly<Record<number, readonly number[]>> = {
  // Pillars
  284: [],
  435: [],
  664: [],
  682: [],
  691: [],
  693: [],
  697: [],
  703: [],
  707: [],
  710: [],

  // Neutralisation and injection
  20: [707],
  74: [707],
  77: [74],
  78: [77],
  88: [77],
  79: [74],
  80: [79],
  89: [943],
  90: [943],
  91: [74],
  93: [74],
  94: [74, 913],
  95: [94],
  96: [94],
  113: [93, 436],
  116: [707],
  117: [116],
  129: [1285],
  170: [707],
  643: [91, 943],
  644: [116],
  838: [116],
  943: [74],
  99: [74],
  1236: [74],
  1285: [20],
  1336: [94],
  436: [435],

  // Resources, references and spheres
  15: [642, 610],
  22: [706, 668],
  23: [22],
  36: [22],
  59: [706],
  73: [610, 642],
  134: [668],
  200: [668],
  209: [200, 755],
  215: [200],
  377: [668],
  378: [377],
  379: [377],
  434: [669],
  441: [610],
  502: [913],
  532: [538],
  538: [200],
  601: [610],
  610: [664],
  611: [610],
  642: [668],
  668: [664],
  669: [664],
  706: [664],
  829: [669],
  913: [664],
  915: [913],
  918: [441],
  922: [664],
  1321: [915],
  1327: [668],

  // Resource consumption
  400: [664],
  405: [400],
  407: [405],
  770: [400, 665],
  776: [405, 674],
  789: [770],
  1333: [407],

  // Memory buffers
  118: [664],
  119: [118],
  120: [787],
  121: [787, 788],
  122: [787, 788],
  123: [787],
  124: [786, 787],
  125: [119],
  126: [125, 788],
  127: [125, 786],
  786: [119],
  787: [119],
  788: [119],
  822: [119],
  823: [119],
  824: [119],
  785: [676, 120],
  805: [119],
  806: [805],

  // Lifetime, initialisation, release
  401: [772],
  404: [664],
  415: [825, 1341],
  416: [825],
  457: [908],
  590: [762],
  665: [664],
  666: [664],
  672: [666],
  675: [573],
  761: [763],
  762: [763],
  763: [404],
  772: [404],
  775: [772],
  825: [672],
  908: [665],
  1341: [675],

  // Calculation and conversion
  131: [682],
  190: [682],
  191: [682],
  193: [682],
  194: [681],
  195: [681],
  196: [681],
  197: [681],
  369: [682],
  467: [131],
  468: [682],
  469: [682],
  680: [190],
  681: [704],
  704: [664],
  843: [704],
  1335: [682],

  // Control flow, comparison, exceptional conditions
  185: [697],
  252: [754],
  362: [691],
  367: [362],
  390: [755],
  476: [754, 710],
  480: [670],
  481: [480],
  482: [480],
  484: [670, 710],
  670: [691],
  674: [834],
  690: [252],
  754: [703],
  755: [703],
  834: [691],
  835: [834],

  // Coding standards
  242: [1177],
  477: [710],
  489: [710],
  561: [1164],
  562: [758],
  563: [1164],
  570: [710],
  571: [710],
  573: [710],
  605: [675],
  628: [573],
  657: [710],
  676: [1177],
  685: [628],
  686: [628],
  687: [628],
  688: [628],
  758: [710],
  1164: [710],
  1177: [710],

  // Protection mechanisms: cryptography, randomness, authenticity
  311: [693],
  312: [311, 922],
  315: [312],
  319: [311],
  321: [798],
  323: [344],
  326: [693],
  327: [693],
  328: [326, 327],
  329: [1204],
  330: [693],
  335: [330],
  336: [335],
  337: [335],
  338: [330],
  344: [330],
  345: [693],
  347: [345],
  352: [345],
  614: [319],
  671: [693],
  757: [693],
  759: [916],
  760: [916],
  780: [327],
  798: [344, 671],
  807: [693],
  916: [328],
  1204: [330],
  1240: [327],
  1241: [330],
  259: [798],

  // Access control and authentication
  250: [269, 657],
  256: [522],
  266: [269],
  269: [284],
  276: [732],
  285: [284],
  287: [284],
  295: [287],
  297: [295, 923],
  306: [287],
  521: [1391],
  522: [1390, 668],
  523: [522],
  732: [285, 668],
  862: [285],
  863: [285],
  923: [284],
  1004: [732],
  1390: [287],
  1391: [1390],
};

const FORM = /^\s*(?:cwe)?[-_\s]*0*(\d+)\s*$/i;

/**
 * `CWE-<n>` for any common spelling (`CWE-022`, `cwe-22`, `CWE_22`, `22`, the number 22);
 * undefined for anything else.
 */
export function normaliseCwe(cwe: string | number | undefined | null): string | undefined {
  if (cwe === undefined || cwe === null) return undefined;
  if (typeof cwe === 'number') return Number.isInteger(cwe) && cwe > 0 ? `CWE-${cwe}` : undefined;
  const m = FORM.exec(cwe);
  const n = m?.[1] ? Number(m[1]) : 0;
  return n > 0 ? `CWE-${n}` : undefined;
}

function numberOf(cwe: string | number): number | undefined {
  const n = normaliseCwe(cwe);
  return n ? Number(n.slice(4)) : undefined;
}

/** Whether the hierarchy knows this CWE (an entry of the table, pillars included). */
export function isKnownCwe(cwe: string | number): boolean {
  const n = numberOf(cwe);
  return n !== undefined && n in PARENTS;
}

/**
 * Every ancestor of a CWE by `ChildOf` in the Research view, nearest first (breadth-first, each once),
 * as `CWE-<n>`. Empty for a pillar, an unknown entry or a malformed id.
 */
export function cweAncestors(cwe: string | number): string[] {
  const start = numberOf(cwe);
  if (start === undefined) return [];
  const seen = new Set<number>([start]);
  const out: string[] = [];
  let frontier = [start];
  while (frontier.length) {
    const next: number[] = [];
    for (const n of frontier) {
      for (const p of PARENTS[n] ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push(`CWE-${p}`);
        next.push(p);
      }
    }
    frontier = next;
  }
  return out;
}

/**
 * Whether a finding at `found` answers a query for `wanted`: the same weakness or a descendant of it
 * (a CWE-95 finding counts for CWE-94, not the other way round). Spellings are normalised; a malformed id
 * matches nothing.
 */
export function cweMatches(found: string | number | undefined, wanted: string | number | undefined): boolean {
  const f = normaliseCwe(found);
  const w = normaliseCwe(wanted);
  if (!f || !w) return false;
  return f === w || cweAncestors(f).includes(w);
}

/** Whether two CWEs lie on one line of the hierarchy: equal, or one an ancestor of the other. */
export function cweRelated(a: string | number | undefined, b: string | number | undefined): boolean {
  return cweMatches(a, b) || cweMatches(b, a);
}
