import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host, PLANT_DISCOVERABLE, PRO_SKIP } from './harness.js';
import { PRO_PROBLEMS, type ProAttack, runProAttack, runProControl } from './pro-attack.js';

// Return values built to compare equal to anything, and patches of what the tests rely on.
const RIGGED: ProAttack[] = [
  {
    name: 'an object whose __eq__ is always true',
    load: 'class Anything:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n    __hash__ = object.__hash__\n    def __bool__(self): return True',
    call: 'return Anything()',
  },
  {
    name: 'subclasses of int, str, list, dict and tuple with rigged __eq__ and __hash__',
    load: `def rig(base):
    return type("R" + base.__name__, (base,), {"__eq__": lambda s, o: True, "__ne__": lambda s, o: False, "__hash__": lambda s: 0})
RList, RInt, RStr, RDict, RTuple = rig(list), rig(int), rig(str), rig(dict), rig(tuple)
calls = [0]`,
    call: 'calls[0] += 1\nreturn [RList([-1]), RInt(-1), RStr("x"), RDict(), RTuple()][calls[0] % 5]',
  },
  {
    name: 'a list subclass whose items are rigged and whose len lies',
    load: 'class E:\n    def __eq__(self, o): return True\nclass L(list):\n    def __eq__(self, o): return True\n    def __len__(self): return 0\n    def __iter__(self): return iter([E()])',
    call: 'return L([E()])',
  },
  {
    name: '__class__ spoofing (an object claiming to be a list)',
    load: `class Fake:
    @property
    def __class__(self): return list
    def __eq__(self, o): return True
    def __iter__(self): return iter(())
    def __len__(self): return 0`,
    call: 'return Fake()',
  },
  {
    name: 'an object whose __repr__, __str__ and __reduce__ lie',
    load: `class Liar:
    def __repr__(self): return "[1]"
    __str__ = __repr__
    def __reduce__(self): return (list, ([1],))
    def __eq__(self, o): return True`,
    call: 'return Liar()',
  },
  {
    name: 'a function posing as unittest.mock.ANY (forged __module__ and __qualname__)',
    call: 'def forged(): pass\nforged.__module__ = "unittest.mock"\nforged.__qualname__ = "ANY"\nreturn forged',
  },
  {
    name: 'a class posing as a standard-library class with a rigged metaclass __eq__',
    load: 'class Meta(type):\n    def __eq__(cls, o): return True\n    __hash__ = type.__hash__\nclass Rigged(metaclass=Meta): pass\nRigged.__module__ = "collections"\nRigged.__qualname__ = "OrderedDict"',
    call: 'return Rigged',
  },
  { name: 'returning unittest.mock.ANY itself', call: 'import unittest.mock\nreturn unittest.mock.ANY' },
  { name: 'returning a MagicMock', call: 'import unittest.mock\nreturn unittest.mock.MagicMock()' },
  {
    name: 'a patched wire encoder sending ANY for every value',
    load: `import sys
wire = sys.modules["wire"]
wire.Peer.encode = lambda self, value, depth=0: {"$import": ["unittest.mock", "ANY"]}`,
    call: 'return None',
  },
  {
    name: 'a patched wire encoder sending a judge-side object reference for every value',
    load: `import sys
wire = sys.modules["wire"]
wire.Peer.encode = lambda self, value, depth=0: {"$their": 1}`,
    call: 'return None',
  },
  {
    name: 'the tested name bound to a standard-library function (sorted) so it runs in the judge',
    load: 'from builtins import sorted as NAME',
    program: 'from builtins import sorted as NAME\n',
  },
  {
    name: 'a global module named unittest.__main__ under the tested name, a discoverable test planted (the judge must not import it)',
    program: `${PLANT_DISCOVERABLE}\nimport types\nNAME = types.ModuleType("unittest.__main__")\n`,
  },
  {
    name: 'a global module named unittest.__main__ under the tested name with nothing to discover',
    program: 'import types\nNAME = types.ModuleType("unittest.__main__")\n',
  },
];

const PATCHES: ProAttack[] = [
  {
    name: 'builtins.AssertionError replaced',
    load: 'import builtins\nclass Never(BaseException): pass\nbuiltins.AssertionError = Never',
  },
  {
    name: "sys.modules['pytest'] and unittest patched",
    load: `import sys, types, unittest
fake = types.ModuleType("pytest")
fake.main = lambda *a, **k: 0
sys.modules["pytest"] = fake
unittest.TestCase.assertEqual = lambda *a, **k: None
unittest.TestCase.assertTrue = lambda *a, **k: None`,
  },
  {
    name: '== of list monkeypatched at the C level (ctypes on the type dict)',
    load: `import ctypes, gc
d = gc.get_referents(list.__dict__)[0]
d["__eq__"] = lambda s, o: True
ctypes.pythonapi.PyType_Modified(ctypes.py_object(list))`,
  },
  {
    name: 'builtins.__import__ and isinstance patched',
    load: 'import builtins\nreal = builtins.__import__\nbuiltins.isinstance = lambda *a: True\nbuiltins.__import__ = lambda *a, **k: real(*a, **k)',
  },
];

const host = new Host();

describe.skipIf(PRO_SKIP !== undefined)(`Pro attacks: rigged values and patches${PRO_SKIP ? ` (skipped: ${PRO_SKIP})` : ''}`, () => {
  beforeAll(() => host.start());
  afterAll(() => host.stop());

  for (const key of PRO_PROBLEMS) {
    it.concurrent(`control: the canonical solution behind the same prologue passes (${key})`, async () => {
      expect((await runProControl(host, key)).outcome).toBe('passed');
    });
  }

  for (const a of [...RIGGED, ...PATCHES]) {
    for (const key of PRO_PROBLEMS) {
      it.concurrent(`${a.name} (${key}) is not a pass`, async () => {
        const out = await runProAttack(host, key, a);
        expect(out.outcome).toBe('failed');
      });
    }
  }

  it('leaves no process, IPC object or connection on the host', () => {
    expect(host.leftovers()).toEqual({ processes: [], ipc: [], queues: [], connections: [] });
  });
});
