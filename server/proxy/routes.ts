import type { Router } from '../http/router.js';
import type { PipelineDeps } from './pipeline/context.js';
import { generationHandler } from './ingress/generate.js';
import { countTokensHandler } from './ingress/count-tokens.js';
import { embeddingsHandler } from './ingress/embeddings.js';
import { modelsListHandler } from './ingress/models-list.js';
import { imageEditsHandler, imageGenerationsHandler } from './ingress/images.js';
import { speechHandler, transcriptionsHandler } from './ingress/audio.js';
import { rerankHandler } from './ingress/rerank.js';
import { moderationsHandler } from './ingress/moderations.js';

/** The /v1 API applications and SDKs call with a virtual key. */
export function registerProxyRoutes(router: Router, services: PipelineDeps): void {
  router
    .add('POST', '/v1/chat/completions', generationHandler('chat-completions', services))
    .add('POST', '/v1/responses', generationHandler('responses', services))
    .add('POST', '/v1/messages', generationHandler('messages', services))
    .add('POST', '/v1/messages/count_tokens', countTokensHandler(services))
    .add('POST', '/v1/embeddings', embeddingsHandler(services))
    .add('POST', '/v1/images/generations', imageGenerationsHandler(services))
    .add('POST', '/v1/images/edits', imageEditsHandler(services))
    .add('POST', '/v1/audio/speech', speechHandler(services))
    .add('POST', '/v1/audio/transcriptions', transcriptionsHandler(services))
    .add('POST', '/v1/rerank', rerankHandler(services))
    .add('POST', '/v1/moderations', moderationsHandler(services))
    .add('GET', '/v1/models', modelsListHandler(services));
}
