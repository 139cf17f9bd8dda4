// The kernel module's exports. Every function takes byte offsets and sizes, allocates nothing, and works on a
// range [start, end) of its outer loop so the pool can split one call across threads; kernels that need
// temporary room take a per-thread `scratch` pointer after `end`.
export { add_f32, add_to_f32, scale_f32, fill_f32, copy_f32, swiglu_forward, swiglu_backward, adamw, sum_squares_blocks } from './elementwise';
export { rmsnorm_forward, rmsnorm_backward_dx, rmsnorm_backward_dw } from './norm';
export { rope, rope_table } from './rope';
export { embedding_forward, embedding_backward } from './embedding';
export { attention_forward, attention_backward, attention_decode } from './attention';
export { cross_entropy, logprobs } from './softmax';
export { matmul_nt, matmul_nn, matmul_tn } from './matmul';
