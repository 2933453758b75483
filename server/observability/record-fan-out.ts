import type { RequestRecord, RequestRecorder } from '../core/request-record.js';

type Listener = (record: RequestRecord) => void;

/** Fan-out of finished requests. Listeners must be quick and must not throw into the proxy. */
export class RequestRecordFanOut implements RequestRecorder {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(record: RequestRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // a faulty consumer never breaks a request
      }
    }
  }
}
