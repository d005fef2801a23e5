import { z } from 'zod';

const resultSchema = z.object({
  index: z.number().int().min(0).describe("The document's position in `documents`"),
  relevance_score: z.number().describe("The probability of the model's rerank label"),
  document: z
    .object({ text: z.string() })
    .optional()
    .describe('The document, with return_documents'),
});

/** The answer of `/v1/rerank`: Jina's fields, of which Cohere's clients read `results`. */
export const rerankV1ResponseSchema = z.object({
  model: z.string().describe('The Sift model that scored the documents'),
  results: z.array(resultSchema).describe('The top_n most relevant documents, highest first'),
  usage: z.object({
    total_tokens: z
      .number()
      .int()
      .describe('Tokens the model read, over all (query, document) pairs'),
  }),
});

export type RerankV1Result = z.infer<typeof resultSchema>;
export type RerankV1Response = z.infer<typeof rerankV1ResponseSchema>;
