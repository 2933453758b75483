import { untrack } from 'svelte';

/**
 * Forward cursor paging of one connection: the `after` cursor of each page
 * visited, so Previous goes back without offsets and Next follows
 * `pageInfo.endCursor`. A new filter starts again with `reset()`, or by itself
 * through `resetOn()`.
 */
export class CursorPages {
  private cursors = $state<(string | null)[]>([null]);

  /** The `after` argument of the page shown. */
  get after(): string | null {
    return this.cursors[this.cursors.length - 1] ?? null;
  }

  /** 0 for the first page. */
  get index(): number {
    return this.cursors.length - 1;
  }

  next(endCursor: string | null | undefined): void {
    if (endCursor) this.cursors = [...this.cursors, endCursor];
  }

  previous(): void {
    if (this.cursors.length > 1) this.cursors = this.cursors.slice(0, -1);
  }

  reset(): void {
    if (this.cursors.length > 1) this.cursors = [null];
  }

  /** Starts again at the first page whenever the state `filter` reads changes. Call while a component initialises. */
  resetOn(filter: () => unknown): void {
    $effect(() => {
      filter();
      untrack(() => this.reset());
    });
  }
}
