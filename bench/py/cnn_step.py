"""PyTorch baseline for the CNN step benchmark (bench/run.ts): the conserved-cnn classifier, conv 3x3
(circular padding, 16 channels) -> ReLU -> 2x2 mean pool -> conv 3x3 (circular, 32) -> ReLU -> global
mean -> linear 32 -> 2, softmax cross-entropy, Adam, batch 128, float32, one thread.
Prints the mean seconds per training step over `steps` steps after two warm-up steps."""
import sys, time
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
L, steps, batch = int(sys.argv[1]), int(sys.argv[2]), 128
x = (torch.rand(batch, 1, L, L) < 0.5).float() * 2 - 1
y = torch.arange(batch) % 2
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 16, 3, padding=1, padding_mode='circular'), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
    torch.nn.Conv2d(16, 32, 3, padding=1, padding_mode='circular'), torch.nn.ReLU(),
    torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(32, 2))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()

def step():
    opt.zero_grad()
    loss_fn(net(x), y).backward()
    opt.step()

for _ in range(2):
    step()
t0 = time.perf_counter()
for _ in range(steps):
    step()
print((time.perf_counter() - t0) / steps)
