"""The orchestrator's composition service (000 section VI, DESIGN.md section 7).

An order is unbundled into a tree of activities; providers bid for each; the
mixed integer program of 000 (constraints 1-8, objective 9) chooses the
providers and the flows between them.

    instance.py      the data of one composition (pure Python) and its validation
    bom.py           the activity tree derived from a product's bill of materials
    feasibility.py   cheap pre-checks naming the constraint family that cannot hold
    formulation.py   the model itself: variables, constraints (1)-(8), objective (9)
    scip.py          solves a formulation with SCIP (pyscipopt), reporting progress
    highs.py         solves the same formulation with HiGHS (the benchmark's peer)
    solution.py      a solved composition: chosen providers, flows, cost terms
    messages.py      request and result XML (schemas/gateway/v1/composition.xsd)
    jobs.py          compositions solved outside the request path (gw_composition_job)
    execute.py       a solution turned into purchase orders through propagation
    recompose.py     a disrupted provider replaced while keeping the rest
"""
