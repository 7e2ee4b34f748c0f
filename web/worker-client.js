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

  // group: an optional Set that holds the call's id while it is pending, so cancel(group) can withdraw it.
  call(type, payload = {}, onProgress = null, transfer = [], group = null) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, group });
      if (group) group.add(id);
      this.worker.postMessage({ type, id, ...payload }, transfer);
    });
  }

  // Withdraws the group's calls that have not started; they reject with an error whose `cancelled` is true.
  cancel(group) {
    if (group && group.size) this.worker.postMessage({ type: 'cancel', ids: [...group] });
  }

  #receive(message) {
    const p = this.pending.get(message.id);
    if (!p) return;
    if (message.type === 'progress') {
      if (p.onProgress) p.onProgress(message.done, message.total, message.what);
      return;
    }
    this.pending.delete(message.id);
    if (p.group) p.group.delete(message.id);
    if (message.type === 'result') p.resolve(message.result);
    else p.reject(Object.assign(new Error(message.message), { cancelled: Boolean(message.cancelled) }));
  }

  #failAll(message) {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }
}
