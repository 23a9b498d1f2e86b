export {
  equalWeights,
  type RebalanceHolding,
  type RebalancePlan,
  type RebalanceTrade,
  rebalancePlan,
} from './rebalance.js';
