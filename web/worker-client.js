// The page's side of the worker protocol: call(type, payload, onProgress) returns a promise that settles
// with the worker's result or rejects with its error message. A worker that dies rejects every pending call.
export class WorkerClient {
  constructor(url) {
    this.worker = new Worker(url, { type: 'module' });
    this.pending = new Map();
    this.nextId = 1;
    this.worker.onmessage = (event) => this.#receive(event.data);
    this.worker.onerror = (event) => this.#failAll(event.message || 'the analysis worker stopped');
  }

  call(type, payload = {}, onProgress = null, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ type, id, ...payload }, transfer);
    });
  }

  #receive(message) {
    const p = this.pending.get(message.id);
    if (!p) return;
    if (message.type === 'progress') {
      if (p.onProgress) p.onProgress(message.done, message.total, message.what);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'result') p.resolve(message.result);
    else p.reject(new Error(message.message));
  }

  #failAll(message) {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }
}
