"""A minimal M/M/N event-queue simulation (the issue's Python yardstick): python3 mmn_toy.py [calls]."""
import heapq, random, sys
from collections import deque

def simulate(calls=1_000_000, agents=350, per_hour=10_000, aht=120.0, target=20.0, seed=1):
    rng = random.Random(seed)
    events = [(rng.expovariate(per_hour / 3600), 0)]  # (time, kind) kind 0 = arrival, 1 = departure
    free, waiting, arrived = agents, deque(), 0
    answered = waited = within = 0
    wait_sum = 0.0
    while events:
        t, kind = heapq.heappop(events)
        if kind == 0:
            arrived += 1
            if arrived < calls:
                heapq.heappush(events, (t + rng.expovariate(per_hour / 3600), 0))
            if free:
                free -= 1
                answered += 1; within += 1
                heapq.heappush(events, (t + rng.expovariate(1 / aht), 1))
            else:
                waiting.append(t)
        elif waiting:
            w = t - waiting.popleft()
            answered += 1; waited += 1; wait_sum += w; within += w <= target
            heapq.heappush(events, (t + rng.expovariate(1 / aht), 1))
        else:
            free += 1
    return answered, waited / answered, wait_sum / answered, within / answered

if __name__ == "__main__":
    print(simulate(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
