"""The parties that must agree a plan, and the reviewer role of each code body."""

from .choices import CodeBody, Route, UserRole

CODE_BODY_REVIEWER = {
    CodeBody.BSC: UserRole.ELEXON,
    CodeBody.REC: UserRole.RECCM,
    CodeBody.DIP: UserRole.DIP,
}

REVIEWER_ROLES = (UserRole.MHHSP, UserRole.ELEXON, UserRole.RECCM, UserRole.DIP, UserRole.QSP)


def required_parties(*, route: str, code_bodies) -> list[str]:
    """Return the reviewer roles whose agreement a plan needs, in display order.

    SIT plans need the MHHS Programme, QT plans do not, and QAD plans need
    the QSP instead; each impacted code body adds its own reviewer.
    """
    parties = []
    if route == Route.SIT:
        parties.append(UserRole.MHHSP)
    elif route == Route.QAD:
        parties.append(UserRole.QSP)
    for code_body in (CodeBody.BSC, CodeBody.REC, CodeBody.DIP):
        if code_body in code_bodies:
            parties.append(CODE_BODY_REVIEWER[code_body])
    return [str(party) for party in parties]


def needs_pab_approval(*, code_bodies) -> bool:
    """Only plans that impact the BSC go to the PAB after agreement."""
    return CodeBody.BSC in code_bodies
