"""PyTorch baseline for the RBM CD-k step benchmark (bench/run.ts): V = H = L*L Bernoulli units,
k block-Gibbs steps from the data, gradient of mean F(data) - mean F(negatives), Adam, float32, one
thread. Arguments: L batch k steps. Prints the mean seconds per step after 5 warm-up steps."""
import sys, time
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
L, batch, k, steps = (int(a) for a in sys.argv[1:5])
V = L * L
W = (0.01 * torch.randn(V, V)).requires_grad_()
b = torch.zeros(V, requires_grad=True)
c = torch.zeros(V, requires_grad=True)
opt = torch.optim.Adam([W, b, c], lr=5e-3)
x = (torch.rand(batch * 8, V) < 0.5).float()

def free_energy(v):
    return -(v @ b) - torch.nn.functional.softplus(v @ W + c).sum(1)

def step(q):
    data = x[(q % 8) * batch:(q % 8 + 1) * batch]
    with torch.no_grad():
        v = data
        for _ in range(k):
            h = torch.bernoulli(torch.sigmoid(v @ W + c))
            v = torch.bernoulli(torch.sigmoid(h @ W.t() + b))
    opt.zero_grad()
    loss = free_energy(data).mean() - free_energy(v).mean()
    loss.backward()
    opt.step()

for q in range(5):
    step(q)
t0 = time.perf_counter()
for q in range(steps):
    step(q)
print((time.perf_counter() - t0) / steps)
