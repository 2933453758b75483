import { messageOf } from '$lib/graphql/errors';

export interface SubmissionOptions {
  /** Told when the submission starts and ends: a form mirrors it into its bound `submitting` prop. */
  onbusy?: (busy: boolean) => void;
  /** What a failure shows; the error's own message by default. May also mark fields (and return ''). */
  message?: (error: unknown) => string;
}

export interface Submission {
  /** True while `run` is saving. */
  readonly busy: boolean;
  /** The message shown above the form; forms also set it for their own checks. */
  error: string;
  /** Clears the error, saves, and keeps the failure's message; true when `save` went through. */
  run(save: () => Promise<unknown>): Promise<boolean>;
}

/**
 * The submit flow forms and dialogs share: a busy flag for the button, the
 * error of the last attempt, and `run` around the mutation (the form closes
 * itself inside `save`, after the mutation succeeded).
 */
export function createSubmission(options: SubmissionOptions = {}): Submission {
  let busy = $state(false);
  let error = $state('');

  function setBusy(value: boolean) {
    busy = value;
    options.onbusy?.(value);
  }

  return {
    get busy() {
      return busy;
    },
    get error() {
      return error;
    },
    set error(message: string) {
      error = message;
    },
    async run(save) {
      error = '';
      setBusy(true);
      try {
        await save();
        return true;
      } catch (e) {
        error = options.message ? options.message(e) : messageOf(e);
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}
