import { CardApproval, CardSections } from '../api';

/**
 * Card test fixtures shared by the card specs: every section empty, a draft approval.
 */
export function emptySections(
  overrides: Partial<CardSections> = {}
): CardSections {
  return {
    owners: [],
    license: null,
    references: [],
    citation: null,
    intended_use: null,
    intended_users: null,
    out_of_scope_use: null,
    training_data: null,
    preprocessing: null,
    evaluation_data: null,
    limitations: null,
    bias_risks: null,
    tradeoffs: null,
    ethical_considerations: null,
    recommendations: null,
    environmental_impact: null,
    ...overrides
  };
}

export function draftApproval(
  overrides: Partial<CardApproval> = {}
): CardApproval {
  return {
    status: 'draft',
    stale: false,
    stale_reasons: [],
    approved_by: null,
    approved_at: null,
    comment: null,
    updated_by: null,
    updated_at: null,
    ...overrides
  };
}
