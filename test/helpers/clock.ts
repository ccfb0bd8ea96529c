import type { Clock } from '../../src/bot/passwordCards';

/** A clock tests move by hand: `advance` runs every periodic task that falls due, in order, and waits for it. */
export class ManualClock implements Clock {
  private tasks = new Set<{ ms: number; next: number; task: () => Promise<void> }>();

  constructor(private time = Date.parse('2026-03-02T09:00:00Z')) {}

  now(): number {
    return this.time;
  }

  every(ms: number, task: () => Promise<void>): () => void {
    const entry = { ms, next: this.time + ms, task };
    this.tasks.add(entry);
    return () => this.tasks.delete(entry);
  }

  /** How many periodic tasks are registered (a closed bot leaves none). */
  get scheduled(): number {
    return this.tasks.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.tasks].filter((t) => t.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.time = due.next;
      due.next += due.ms;
      await due.task();
    }
    this.time = end;
  }
}
