import { z } from 'zod';
import { INSTRUCTIONS_POLICIES } from './relay-types.js';

const positiveMs = z.number().int().positive('must be a positive number of milliseconds').max(3_600_000);

/**
 * A provider's `options`, checked when an admin saves them: upstream timeouts,
 * the Azure api-version, relay mode, cloud credentials' non-secret parts
 * (AWS region and access key id, Vertex project and location, Entra ID app). Unknown keys are refused so a typo does
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
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$|^v1$|^latest$|^preview$/, 'use an Azure api-version such as 2024-10-21')
      .optional(),
    // Amazon Bedrock: the region, and the access key id whose secret access key is the API key.
    aws: z
      .object({
        region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'use an AWS region such as us-east-1'),
        accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'use an AWS access key id such as AKIA…'),
      })
      .partial()
      .strict()
      .optional(),
    // Vertex AI: project (default: the service account's project_id) and location (default: global).
    vertex: z
      .object({
        project: z.string().regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'use a Google Cloud project id'),
        location: z.string().regex(/^[a-z0-9-]{2,40}$/, 'use a Vertex AI location such as us-east5 or global'),
      })
      .partial()
      .strict()
      .optional(),
    // Azure OpenAI with Entra ID: the app registration whose client secret is the API key.
    entra: z
      .object({
        tenantId: z.string().min(1).max(200),
        clientId: z.string().min(1).max(200),
        authorityHost: z.string().url().max(500).optional(),
        scope: z.string().min(1).max(500).optional(),
      })
      .strict()
      .optional(),
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
