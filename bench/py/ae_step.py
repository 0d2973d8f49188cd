"""PyTorch baseline for the autoencoder step benchmark (bench/run.ts): 900 -> H -> 900, sigmoid
hidden and output, mean squared error (the study's loss), Adam, batch 512 drawn at random from 4096
rows, float32, one thread.
Prints the mean seconds per training step over `steps` steps after `warmup`."""
import sys, time
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
n_in, hidden, batch, warmup, steps = 900, int(sys.argv[1]), 512, 5, int(sys.argv[2])
x = (torch.rand(batch * 8, n_in) < 0.5).float()
w1 = torch.nn.Linear(n_in, hidden)
w2 = torch.nn.Linear(hidden, n_in)
opt = torch.optim.Adam(list(w1.parameters()) + list(w2.parameters()), lr=1e-3)
loss_fn = torch.nn.MSELoss()

def step(k):
    xb = x[torch.randint(0, batch * 8, (batch,))]
    opt.zero_grad()
    loss = loss_fn(torch.sigmoid(w2(torch.sigmoid(w1(xb)))), xb)
    loss.backward()
    opt.step()

for k in range(warmup):
    step(k)
t0 = time.perf_counter()
for k in range(steps):
    step(k)
print((time.perf_counter() - t0) / steps)
