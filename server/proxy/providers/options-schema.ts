import { z } from 'zod';
import { INSTRUCTIONS_POLICIES } from './relay-types.js';

const positiveMs = z.number().int().positive('must be a positive number of milliseconds').max(3_600_000);

/**
 * A provider's `options`, checked when an admin saves them: upstream timeouts,
 * the Azure api-version, relay mode. Unknown keys are refused so a typo does
 * not silently do nothing.
 */
export const providerOptionsSchema = z
  .object({
    timeouts: z
      .object({
        connectMs: positiveMs,
        firstByteMs: positiveMs,
        idleMs: positiveMs,
        // Whole-stream deadline (overrides UPSTREAM_STREAM_TOTAL_MS); up to a day for very long generations.
        totalMs: z.number().int().positive('must be a positive number of milliseconds').max(86_400_000),
      })
      .partial()
      .strict()
      .optional(),
    apiVersion: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$|^v1$|^latest$|^preview$/, 'use an Azure api-version such as 2024-10-21').optional(),
    relay: z
      .object({
        instructionsPolicy: z.enum(INSTRUCTIONS_POLICIES),
        upstreamInstructions: z.string().max(200_000),
        droppedFields: z.array(z.string().min(1)).max(100),
        forceStoreFalse: z.boolean(),
        forceStream: z.boolean(),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();
