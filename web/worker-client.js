// The page's side of the worker protocol: call(type, payload, onProgress) returns a promise that settles
// with the worker's result or rejects with its error message. Requests wait here and go to the worker one at
// a time, so a request that a newer one made pointless can still be withdrawn (cancel) before it starts; the
// worker runs whatever reaches it, unless stop() ends it. A worker that dies rejects every pending call.
export class WorkerClient {
  constructor(url) {
    this.url = url;
    this.waiting = [];      // calls not yet sent, in order
    this.inFlight = null;   // the call the worker is running
    this.posted = new Map();  // calls sent at once by post(), by id, until their reply
    this.nextId = 1;
    this.#start();
  }

  #start() {
    this.worker = new Worker(this.url, { type: 'module' });
    this.worker.onmessage = (event) => this.#receive(event.data);
    this.worker.onerror = (event) => this.#failAll(event.message || 'the analysis worker stopped');
  }

  // Stops whatever the worker is running, at once: the worker is ended (a run in WebAssembly cannot be
  // interrupted from outside) and a fresh one started, which holds no model until it is sent one again. Every
  // pending call rejects with an error whose `cancelled` is true.
  stop() {
    this.worker.terminate();
    const calls = [this.inFlight, ...this.waiting, ...this.posted.values()].filter(Boolean);
    this.inFlight = null;
    this.waiting = [];
    this.posted.clear();
    for (const call of calls) {
      if (call.group) call.group.delete(call.id);
      call.reject(cancelledError('cancelled'));
    }
    this.#start();
  }

  // True while a call runs or waits.
  busy() {
    return Boolean(this.inFlight) || this.waiting.length > 0;
  }

  // group: an optional Set that holds the call's id while it is pending, so cancel(group) can withdraw it.
  call(type, payload = {}, onProgress = null, transfer = [], group = null) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (group) group.add(id);
      this.waiting.push({ id, type, payload, transfer, resolve, reject, onProgress, group });
      this.#pump();
    });
  }

  // Sends a call to the worker at once, ahead of the calls waiting here (the worker still runs requests in arrival
  // order): for work that nothing withdraws and that should start while earlier calls are answered, such as building
  // the shipped model's tokenizer while its weights download. Returns a promise as call() does.
  post(type, payload = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.posted.set(id, { id, type, resolve, reject });
      try {
        this.worker.postMessage({ type, id, ...payload });
      } catch (e) {
        this.posted.delete(id);
        reject(new Error(`could not hand the ${type} request to the worker: ${e && e.message ? e.message : e}`));
      }
    });
  }

  // Withdraws the group's calls that have not started; they reject with an error whose `cancelled` is true.
  cancel(group) {
    if (!group || !group.size) return;
    this.waiting = this.waiting.filter((call) => {
      if (!group.has(call.id)) return true;
      group.delete(call.id);
      call.reject(cancelledError());
      return false;
    });
  }

  // Sends the next call. A call that cannot be sent (postMessage throws: data that cannot be cloned, or too large
  // to copy) ends with that error, and the queue goes on with the next.
  #pump() {
    while (!this.inFlight && this.waiting.length) {
      const call = this.waiting.shift();
      this.inFlight = call;
      try {
        this.worker.postMessage({ type: call.type, id: call.id, ...call.payload }, call.transfer);
      } catch (e) {
        this.inFlight = null;
        if (call.group) call.group.delete(call.id);
        call.reject(new Error(`could not hand the ${call.type} request to the worker: ${e && e.message ? e.message : e}`));
      }
    }
  }

  #receive(message) {
    const posted = this.posted.get(message.id);
    if (posted) {
      if (message.type === 'progress') return;
      this.posted.delete(message.id);
      if (message.type === 'result') posted.resolve(message.result);
      else posted.reject(workerError(message));
      return;
    }
    const call = this.inFlight;
    if (!call || call.id !== message.id) return;
    if (message.type === 'progress') {
      if (call.onProgress) call.onProgress(message.done, message.total, message.what);
      return;
    }
    this.inFlight = null;
    if (call.group) call.group.delete(call.id);
    if (message.type === 'result') call.resolve(message.result);
    else call.reject(workerError(message));
    this.#pump();
  }

  #failAll(message) {
    for (const call of [this.inFlight, ...this.waiting, ...this.posted.values()]) if (call) call.reject(new Error(message));
    this.inFlight = null;
    this.waiting = [];
    this.posted.clear();
  }
}

// The worker's error reply as an Error; `returned` holds the ArrayBuffers a failed load gives back.
function workerError(message) {
  const error = new Error(message.message);
  if (message.returned) error.returned = message.returned;
  return error;
}

export function cancelledError(message = 'cancelled: a newer request replaced it') {
  return Object.assign(new Error(message), { cancelled: true });
}
