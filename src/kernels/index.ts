// AssemblyScript kernels: every function takes byte offsets into the shared memory and sizes.
export function add_f32(out: usize, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<f32>(out + (<usize>i << 2), load<f32>(a + (<usize>i << 2)) + load<f32>(b + (<usize>i << 2)));
  }
}
