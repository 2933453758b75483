import type { HandleClientError } from '@sveltejs/kit';

// An unknown address is an ordinary outcome (the styled 404 page explains it), not an error to log.
export const handleError: HandleClientError = ({ error, status, message }) => {
  if (status !== 404) console.error(error);
  return { message };
};
