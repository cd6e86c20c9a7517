// A worker thread of the reward server's pool: builds its tools once, then scores one completion per message.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { SpanCache } from './cache.js';
import type { WorkerInit, WorkerReply } from './server-pool.js';
import type { WorkerTools } from './server-options.js';
import { type ScoreEnv, type ScoreTask, scoreTask } from './server-score.js';
import { byteTokenizer } from './tokenizer.js';

if (!parentPort) throw new Error('server-worker runs as a worker thread of createRewardServer');
const port: MessagePort = parentPort;
const init = workerData as WorkerInit;
const reply = (m: WorkerReply) => port.postMessage(m);

async function tools(): Promise<WorkerTools> {
  if (!init.setup) return init.byteTokenizer ? { tokenizer: byteTokenizer } : {};
  const mod = (await import(init.setup.module)) as { setupWorker?: (data: unknown) => WorkerTools | Promise<WorkerTools> };
  if (typeof mod.setupWorker !== 'function') throw new Error(`${init.setup.module} exports no setupWorker function`);
  return mod.setupWorker(init.setup.data);
}

async function start(): Promise<void> {
  const { tokenizer, analyzers } = await tools();
  const env: ScoreEnv = {
    pairs: new Map(init.pairs.map((p) => [p.id, p])),
    cache: new SpanCache(),
    ...(tokenizer ? { tokenizer } : {}),
    ...(analyzers?.length ? { analyzers } : {}),
  };
  port.on('message', (m: { seq: number; tasks: ScoreTask[] }) => {
    void (async () => {
      const outcomes: Extract<WorkerReply, { kind: 'done' }>['outcomes'] = [];
      // one batch in order; each task's failure is its own
      for (const task of m.tasks) {
        try {
          const result = await scoreTask(task, env);
          outcomes.push({ ok: true, result: task.asJson ? { json: JSON.stringify(result) } : result });
        } catch (e) {
          const err = e as { name?: unknown; code?: unknown; message?: unknown };
          outcomes.push({
            ok: false,
            error: {
              name: typeof err?.name === 'string' ? err.name : 'Error',
              ...(typeof err?.code === 'string' ? { code: err.code } : {}),
              message: typeof err?.message === 'string' ? err.message : String(e),
            },
          });
        }
      }
      reply({ kind: 'done', seq: m.seq, outcomes });
    })();
  });
  reply({ kind: 'ready', tokenizer: tokenizer !== undefined });
}

start().catch((e: unknown) => reply({ kind: 'setup-failed', message: (e as Error)?.message ?? String(e) }));
