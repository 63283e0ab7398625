"""hcctrials.model"""
