"""After signing: the agreement keeps working beside its signed version.

Commitments (one per task and decision moment of the signed version), decision moments' outcomes, joint
evaluations and escalations. It sits below the lifecycle, which starts the commitments at the last signature,
and lists what waits here on the home page.
"""
