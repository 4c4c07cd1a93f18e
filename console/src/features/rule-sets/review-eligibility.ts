/** What the signed-in user may do on a version in review, and why not when they may not. */
export interface ReviewEligibility {
  /** Approve or request changes at all. */
  mayReview: boolean;
  mayApprove: boolean;
  /** Shown instead of the buttons the user may not use. */
  reason?: string;
}

interface ReviewLike {
  side: string;
  decision: string;
  reviewer: string;
  voided: boolean;
  revision: number;
}

/**
 * The API's rules, so that no button is offered only to fail: only marketing and sales review (for
 * their side), an editor of the version never does, and a reviewer who approved has nothing more
 * to approve (requesting changes stays open to them).
 */
export function reviewEligibility(input: {
  side: 'marketing' | 'sales' | null;
  isEditor: boolean;
  /** The signed-in user as the API names actors (`user:<email>`). */
  actor: string | undefined;
  reviews: ReviewLike[] | undefined;
}): ReviewEligibility {
  const { side, isEditor, actor, reviews } = input;
  if (!side) return { mayReview: false, mayApprove: false };
  if (isEditor)
    return { mayReview: false, mayApprove: false, reason: `You edited this version, so you cannot review it; another ${side} user must.` };
  const approved = (reviews ?? []).find((review) => !review.voided && review.decision === 'approved' && review.reviewer === actor);
  if (approved) {
    const other = approved.side === 'marketing' ? 'sales' : 'marketing';
    const done = (reviews ?? []).some((review) => !review.voided && review.decision === 'approved' && review.side === other);
    return {
      mayReview: true,
      mayApprove: false,
      reason: `You approved revision ${approved.revision} for ${approved.side}${done ? '' : `; it now waits for the ${other} side`}. You can still request changes.`,
    };
  }
  return { mayReview: true, mayApprove: true };
}
