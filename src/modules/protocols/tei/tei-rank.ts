import { z } from 'zod';

/** TEI's `Rank`: a passage's place in the request, its relevance, and the passage if asked. */
export const teiRankSchema = z.object({
  index: z.number().int().min(0).describe("The text's position in `texts`"),
  score: z.number().describe("The rerank label's probability, or its logit with raw_scores"),
  text: z.string().optional().describe('The text, with return_text'),
});

export type TeiRank = z.infer<typeof teiRankSchema>;

/** `/rerank`'s answer: every text, highest score first. */
export const teiRankListSchema = z.array(teiRankSchema);
