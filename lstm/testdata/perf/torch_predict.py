"""PyTorch anchor for BenchmarkPredict (lstm/bench_test.go): the sine
configuration's model, one LSTM layer (1 feature, 32 units) + a Linear(32, 1)
head on the last output, inference (no_grad) on ONE sequence of 25 steps
(batch 1), as Model.Predict of a trained demo model. Prints the mean time of
one forward, best of `repeats` timed loops of at least 2 s each.

usage: /usr/bin/python3 torch_predict.py [threads, default 2] [repeats, default 3]
(Debian's python3-torch with libopenblas-dev; see ../../../../shared/perf/README.md)
"""
import sys, time, torch

th = int(sys.argv[1]) if len(sys.argv) > 1 else 2
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
torch.set_num_threads(th)
for dtype in (torch.float32, torch.float64):
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(1, 32, batch_first=True).to(dtype)
    head = torch.nn.Linear(32, 1).to(dtype)
    x = torch.randn(1, 25, 1, dtype=dtype)

    def predict():
        with torch.no_grad():
            out, _ = lstm(x)
            return head(out[:, -1])

    for _ in range(100):
        predict()
    best = float("inf")
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 2.0:
            predict()
            n += 1
        best = min(best, (time.perf_counter() - t0) / n)
    print(f"{str(dtype)[6:]:8s} predict B=1 T=25 I=1 H=32 forward_us={best * 1e6:.1f}")
